"""Serving under granian's ASGI interface, with granian's own protections set for the field.

Every number below was measured on the 2-core test machine (README, "Running it in the field";
tests/test_resilience.py and tests/test_shutdown.py hold the behaviour):

- ``BACKLOG``: the kernel's accept queue (Linux caps it at ``net.core.somaxconn``, 4096 here).
- ``BACKPRESSURE``: connections a worker serves at once. Granian's default (backlog / workers,
  1,024) let 1,024 idle connections from one client leave none for anybody else: 15 of 15
  ``/health`` probes failed. An idle connection costs a worker a few KiB and a file descriptor,
  so a worker takes 4,096 (two workers: 8,192 descriptors, within the usual 20,000 limit).
- ``HEADER_READ_TIMEOUT``: hyper applies it to a request head *and* to a keep-alive connection
  waiting for its next request, so it sheds both slow-header and idle clients; 5 s (granian's
  30 s let a crowd hold its connections for free) is more than any real client needs to send
  a head and as long as common keep-alive defaults.
- ``DRAIN_SECONDS``: on SIGTERM granian stops accepting and lets requests in flight finish;
  a worker still busy after this long is killed. 10 s stays well inside the 30 s most
  orchestrators wait before SIGKILL.
- Failed workers are respawned (granian exits when one dies unless told otherwise); a worker
  that crashes again within granian's 5.5 s crash-loop window stops the service instead.

Logs: granian's own messages and the service's errors go through ``logging`` on stderr in the
service's format (``log_dictconfig``, api/web/access.py); granian's access log stays off because
the service writes a richer one on stdout (request id, bytes, how answered).

Slow *readers* are not cut here: granian has no write timeout. The protection lives in the
proxy in front (deploy/nginx.conf): nginx buffers the whole response from the service at once,
so a slow reader holds no worker, and resets a client that takes no bytes for ``send_timeout``
(tests/test_proxy.py proves it with a 4 KiB receive window), like per-client connection limits.
"""

import os
import tempfile
from pathlib import Path
from typing import Any

from granian import Granian
from granian.constants import Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server.common import AbstractServer

from api.settings import LogFormat, LogLevel, Settings
from api.web.access import log_config

BACKLOG = 4096
BACKPRESSURE = 4096
HEADER_READ_TIMEOUT_MS = 5_000
DRAIN_SECONDS = 10


def granian(
    target: str,
    host: str,
    port: int,
    workers: int,
    level: LogLevel = "info",
    fmt: LogFormat = "json",
) -> AbstractServer[Any]:
    """The one granian configuration: the service, and the benchmark's reference apps (bench/)
    so that they are measured under exactly the same server settings. Granian logs as the
    service does (api/web/access.py); its own access log stays off: the service writes one
    with the fields granian's lacks."""
    return Granian(
        target,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        factory=True,
        log_access=False,
        log_level=LogLevels(level),
        log_dictconfig=log_config(level, fmt),
        backlog=BACKLOG,
        backpressure=BACKPRESSURE,
        http1_settings=HTTP1Settings(header_read_timeout=HEADER_READ_TIMEOUT_MS),
        respawn_failed_workers=True,
        workers_kill_timeout=DRAIN_SECONDS,
    )


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Run the service; workers read the same settings through the environment."""
    os.environ["ARTICLE_FACTS_DB"] = str(settings.database)
    os.environ["ARTICLE_FACTS_CACHE_BYTES"] = str(settings.cache_bytes)
    os.environ["ARTICLE_FACTS_MAX_AGE"] = str(settings.max_age)
    os.environ["ARTICLE_FACTS_FAST_PATH"] = "1" if settings.fast_path else "0"
    os.environ["ARTICLE_FACTS_LOG_LEVEL"] = settings.log_level
    os.environ["ARTICLE_FACTS_LOG_FORMAT"] = settings.log_format
    # The workers of this run, and only they, sum each other's metrics (api/web/metrics.py).
    with tempfile.TemporaryDirectory(prefix="article-facts-metrics-") as folder:
        os.environ["ARTICLE_FACTS_METRICS_DIR"] = str(settings.metrics_dir or Path(folder))
        granian(
            "api.web.app:create_app", host, port, workers, settings.log_level, settings.log_format
        ).serve()
