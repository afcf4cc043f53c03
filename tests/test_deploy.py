"""The reference deployment (deploy/): replicas of the service behind nginx as a caching
reverse proxy, started on 127.0.0.1 as deploy/proxy.py starts them. Bounded in time and count.
"""

import os
import re
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest

from deploy.proxy import nginx
from tests.conftest import ServiceFactory
from tests.live import Crowd, Service, free_port, get, probe

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed"),
]


@dataclass
class Deployment:
    base: str
    port: int
    replicas: list[Service]
    prefix: Path

    def logged(self, text: str) -> bool:
        """Whether nginx's access log has ``text`` (a line is written once the answer is sent:
        polled for up to 2 s)."""
        deadline = time.monotonic() + 2
        while text not in (self.prefix / "access.log").read_text():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def kill(self, replica: Service) -> None:
        """A dead machine: the replica's workers and its main process, at once."""
        for pid in [*replica.workers(), replica.process.pid]:
            os.kill(pid, signal.SIGKILL)
        replica.process.wait(timeout=5)


@contextmanager
def deployment(
    serve: ServiceFactory, tmp_path: Path, replicas: int, **env: str
) -> Iterator[Deployment]:
    with ExitStack() as stack:
        services = [stack.enter_context(serve(**env)) for _ in range(replicas)]
        port = free_port()
        prefix = tmp_path / "nginx"
        proxy = nginx(port, [service.port for service in services], prefix)
        try:
            yield Deployment(f"http://127.0.0.1:{port}", port, services, prefix)
        finally:
            proxy.terminate()
            proxy.wait(timeout=10)


def test_a_repeated_get_is_a_cache_hit_that_never_reaches_a_replica(
    serve: ServiceFactory, tmp_path: Path
) -> None:
    with deployment(serve, tmp_path, replicas=2) as deployed:
        first = get(f"{deployed.base}/v1/quotes")
        assert first[0] == 200
        assert first[1]["x-cache-status"] == "MISS"
        second = get(f"{deployed.base}/v1/quotes")
        assert second[1]["x-cache-status"] == "HIT"
        for replica in deployed.replicas:
            replica.stop()
        third = get(f"{deployed.base}/v1/quotes")
        assert third[0] == 200
        assert third[1]["x-cache-status"] == "HIT"
        assert third[2] == first[2]
        assert third[1]["etag"] == first[1]["etag"]
        assert get(f"{deployed.base}/health")[0] >= 500  # never cached: it needs a replica


def test_a_stale_entry_is_revalidated_with_a_304_from_a_replica(
    serve: ServiceFactory, tmp_path: Path
) -> None:
    with deployment(serve, tmp_path, replicas=1, ARTICLE_FACTS_MAX_AGE="1") as deployed:
        url = f"{deployed.base}/v1/people"
        first = get(url)
        assert first[1]["x-cache-status"] == "MISS"
        assert first[1]["cache-control"] == "public, max-age=1"
        time.sleep(2.2)  # nginx counts whole seconds
        again = get(url)
        assert again[0] == 200
        assert again[1]["x-cache-status"] == "REVALIDATED"
        assert again[2] == first[2]
        assert deployed.logged("cache=REVALIDATED")


def test_killing_a_replica_under_load_costs_no_request(
    serve: ServiceFactory, tmp_path: Path
) -> None:
    with deployment(serve, tmp_path, replicas=2) as deployed:
        statuses: list[int | None] = []
        stop = threading.Event()

        def load() -> None:
            deadline = time.monotonic() + 20
            n = 0
            while not stop.is_set() and time.monotonic() < deadline:
                # /health is never cached and distinct pages miss: every one reaches a replica.
                path = "/health" if n % 2 else f"/v1/quotes?limit={n % 500 + 1}"
                statuses.append(probe(deployed.port, path, timeout=5))
                n += 1
                time.sleep(0.05)  # 4 clients at 20 r/s: within the per-client rate limit

        threads = [threading.Thread(target=load) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(1)
        deployed.kill(deployed.replicas[0])
        time.sleep(2)
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert len(statuses) > 100
    assert [status for status in statuses if status != 200] == []


def test_one_client_holding_1100_idle_connections_does_not_stop_another(
    serve: ServiceFactory, tmp_path: Path
) -> None:
    # The crowd is one client (127.0.0.2), the probe another (127.0.0.1).
    crowd = partial(Crowd, size=1_100, slow=False, source="127.0.0.2")
    with deployment(serve, tmp_path, replicas=1) as deployed, crowd(deployed.port) as held:
        deadline = time.monotonic() + 15
        while held.opened < held.size and time.monotonic() < deadline:
            time.sleep(0.1)
        assert held.opened >= held.size  # every connection made, answered (or refused), idle
        statuses = []
        for _ in range(5):
            statuses.append(probe(deployed.port, "/health"))
            time.sleep(0.5)
    assert statuses == [200] * 5


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("abc-123.DEF:9", True), ("", False), ("has space", False), ("x" * 129, False)],
)
def test_the_request_id_is_kept_when_well_formed_and_made_otherwise(
    serve: ServiceFactory, tmp_path: Path, sent: str, kept: bool
) -> None:
    import urllib.request

    with deployment(serve, tmp_path, replicas=1) as deployed:
        request = urllib.request.Request(f"{deployed.base}/v1", headers={"X-Request-Id": sent})
        with urllib.request.urlopen(request, timeout=5) as response:
            echoed = response.headers["X-Request-Id"]
        if kept:
            assert echoed == sent
        else:
            assert re.fullmatch("[0-9a-f]{32}", echoed)
        assert deployed.logged(f"request_id={echoed}")
