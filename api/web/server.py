"""Serving under granian's ASGI interface."""

import os
from typing import Any

from granian import Granian
from granian.constants import Interfaces
from granian.server.common import AbstractServer

from api.settings import Settings


def granian(target: str, host: str, port: int, workers: int) -> AbstractServer[Any]:
    """The one granian configuration: the service, and the benchmark's reference apps (bench/)
    so that they are measured under exactly the same server settings."""
    return Granian(
        target,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        factory=True,
        log_access=False,
    )


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Run the service; workers read the same settings through the environment."""
    os.environ["ARTICLE_FACTS_DB"] = str(settings.database)
    os.environ["ARTICLE_FACTS_CACHE_BYTES"] = str(settings.cache_bytes)
    os.environ["ARTICLE_FACTS_MAX_AGE"] = str(settings.max_age)
    os.environ["ARTICLE_FACTS_FAST_PATH"] = "1" if settings.fast_path else "0"
    granian("api.web.app:create_app", host, port, workers).serve()
