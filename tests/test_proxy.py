"""The reference deployment (deploy/): replicas behind nginx on 127.0.0.1, as an operator runs it.

nginx's access log (JSON, deploy/nginx.conf) says for every request whether it was a cache hit
and what, if anything, a replica answered; the tests read it rather than trusting a header.
Clients that must count as different clients bind different loopback addresses (127.0.0.2,
127.0.0.3). Every loop is bounded in count and time.
"""

import hashlib
import http.client
import shutil
import socket
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from api.settings import Settings
from api.web.docs import asset
from deploy.proxy import Deployment, Limits, free_port

pytestmark = pytest.mark.live
ARTICLE = "russia-taps-sco-and-csto-to-counter-islamic-state"
LARGE = "swagger-ui-bundle.js"  # 1.4 MB


def deployment(
    settings: Settings,
    prefix: Path,
    replicas: int,
    limits: Limits,
    send_buffer: int | None = None,
) -> Deployment:
    assert shutil.which("nginx"), "make test installs Debian's nginx-light; it is missing"
    env = {"ARTICLE_FACTS_DB": str(settings.database), "ARTICLE_FACTS_MAX_AGE": "1"}
    port = free_port()
    return Deployment(prefix, replicas, port=port, limits=limits, env=env, send_buffer=send_buffer)


@pytest.fixture(scope="module")
def proxy(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """Two replicas, limits no test client reaches (the rate test has its own deployment)."""
    limits = Limits(rate=100_000, burst=100_000, connections=1_000)
    with deployment(settings, tmp_path_factory.mktemp("proxy"), 2, limits) as running:
        yield running


def get(
    proxy: Deployment, path: str, source: str = "127.0.0.1", **headers: str
) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(
        proxy.host, proxy.port, timeout=5, source_address=(source, 0)
    )
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def logged(proxy: Deployment, request_id: str) -> dict[str, Any]:
    """nginx's access-log line of the request with this id (nginx writes it as it answers)."""
    for _ in range(50):
        for line in (proxy.prefix / "access.log").read_bytes().splitlines():
            entry: dict[str, Any] = msgspec.json.decode(line)
            if entry["request_id"] == request_id:
                return entry
        time.sleep(0.02)
    raise AssertionError(f"no access-log line for {request_id}")


def test_a_repeated_get_is_a_cache_hit_that_never_reaches_a_replica(proxy: Deployment) -> None:
    first = get(proxy, "/v1/quotes?limit=3", **{"X-Request-Id": "first-quotes"})
    again = get(proxy, "/v1/quotes?limit=3", **{"X-Request-Id": "again-quotes"})
    assert (first.status, again.status) == (200, 200)
    assert first.headers["ETag"] == again.headers["ETag"]
    assert logged(proxy, "first-quotes")["upstream_status"] == "200"
    hit = logged(proxy, "again-quotes")
    assert (hit["cache"], hit["upstream"], hit["upstream_status"]) == ("HIT", "", "")


def test_a_stale_entry_is_revalidated_with_a_304_from_a_replica(proxy: Deployment) -> None:
    first = get(proxy, "/v1/countries?limit=2", **{"X-Request-Id": "stale-1"})
    time.sleep(2.2)  # the replicas say max-age=1; nginx counts whole seconds
    again = get(proxy, "/v1/countries?limit=2", **{"X-Request-Id": "stale-2"})
    assert (first.status, again.status) == (200, 200)
    revalidated = logged(proxy, "stale-2")
    assert (revalidated["cache"], revalidated["upstream_status"]) == ("REVALIDATED", "304")
    assert revalidated["bytes"] == logged(proxy, "stale-1")["bytes"]


def test_the_request_id_is_passed_through_or_made(proxy: Deployment) -> None:
    assert get(proxy, "/v1", **{"X-Request-Id": "client-id-42"}).headers["X-Request-Id"] == (
        "client-id-42"
    )
    made = get(proxy, "/v1", **{"X-Request-Id": "not valid!"}).headers["X-Request-Id"]
    assert made != "not valid!"
    assert len(made) == 32


def test_nginx_starts_on_another_port_when_its_own_was_taken(
    settings: Settings, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"ARTICLE_FACTS_DB": str(settings.database)}
        with Deployment(tmp_path, 1, port=port, limits=Limits(), env=env) as running:
            assert running.port != port
            assert get(running, "/health").status == 200


def test_metrics_are_served_by_a_replica_and_never_by_the_proxy(proxy: Deployment) -> None:
    assert get(proxy, "/metrics").status == 404
    direct = urllib.request.urlopen(f"http://127.0.0.1:{proxy.ports[0]}/metrics", timeout=5)
    assert direct.status == 200
    assert b"article_facts_requests_total" in direct.read()


def test_a_client_holding_1100_idle_connections_does_not_stop_another_clients_health(
    proxy: Deployment,
) -> None:
    crowd: list[socket.socket] = []
    try:
        for index in range(1_100):
            sock = socket.create_connection(
                (proxy.host, proxy.port), timeout=5, source_address=("127.0.0.2", 0)
            )
            if index % 2:
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # a head never finished
            crowd.append(sock)
        for _ in range(10):
            started = time.monotonic()
            response = get(proxy, "/health", source="127.0.0.3")
            assert response.status == 200
            assert time.monotonic() - started < 1
            time.sleep(0.1)
    finally:
        for sock in crowd:
            sock.close()


def test_a_head_never_finished_is_cut_after_five_seconds(proxy: Deployment) -> None:
    with socket.create_connection((proxy.host, proxy.port), timeout=10) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        with pytest.raises(ConnectionResetError):  # no answer: reset_timedout_connection
            sock.recv(1024)
        assert 4.5 < time.monotonic() - started < 8


def test_one_client_over_its_request_rate_is_refused_while_another_is_served(
    settings: Settings, tmp_path: Path
) -> None:
    limits = Limits(rate=20, burst=5, connections=4)
    with deployment(settings, tmp_path, 1, limits) as limited:
        statuses = [get(limited, "/v1", source="127.0.0.4").status for _ in range(40)]
        assert statuses[:6] == [200] * 6  # the burst
        assert statuses.count(429) >= 20
        assert get(limited, "/v1", source="127.0.0.5").status == 200


#: linux/tcp_states.h: the state of a connection, first byte of TCP_INFO.
TCP_ESTABLISHED = 1


def trickle(sock: socket.socket, deadline: float, between: Callable[[], None]) -> int:
    """Read 16 bytes every 0.2 s (calling ``between`` each time) until the connection is no
    longer established or ``deadline`` passes; the bytes read, head included. A reset leaves
    what the kernel already received readable, so the state says it, not ``recv``."""
    received = 0
    while time.monotonic() < deadline:
        if sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0] != TCP_ESTABLISHED:
            return received
        try:
            received += len(sock.recv(16))
        except ConnectionResetError:
            return received
        between()
        time.sleep(0.2)
    raise AssertionError(f"still connected after {received} bytes")


def test_a_reader_that_takes_no_bytes_is_cut_after_send_timeout_while_others_are_served(
    settings: Settings, tmp_path: Path
) -> None:
    """The client's small receive buffer, set before connecting, is the window it advertises,
    and nginx's send buffer is fixed: the two kernels hold a few tens of KB of the 1.4 MB
    bundle, so nginx finds the socket full and, send_timeout later, resets the connection."""
    limits = Limits(send_timeout=2)
    bundle = asset(LARGE)
    served: list[float] = []
    with deployment(settings, tmp_path, 1, limits, send_buffer=16384) as slow:

        def meanwhile() -> None:  # another client: its /health and the whole bundle
            if len(served) < 5:
                started = time.monotonic()
                assert get(slow, "/health", source="127.0.0.7").status == 200
                assert download(slow, "127.0.0.7") == bundle
                served.append(time.monotonic() - started)

        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.bind(("127.0.0.6", 0))
            sock.settimeout(5)
            sock.connect((slow.host, slow.port))
            started = time.monotonic()
            head = f"GET /docs/assets/{LARGE} HTTP/1.1\r\nHost: x\r\nX-Request-Id: trickle\r\n\r\n"
            sock.sendall(head.encode())
            received = trickle(sock, started + limits.send_timeout + 5, meanwhile)
            elapsed = time.monotonic() - started
        entry = logged(slow, "trickle")
    assert received < len(bundle) // 10
    assert limits.send_timeout - 0.5 < elapsed < limits.send_timeout + 2
    assert len(served) == 5
    assert max(served) < 1
    assert (entry["status"], entry["completion"]) == (200, "")  # not "OK": cut
    assert entry["bytes"] < len(bundle)
    assert float(entry["seconds"]) >= limits.send_timeout
    # The replica had answered in full long before: nginx buffered it, the reader held nginx only.
    assert float(entry["upstream_seconds"]) < 1


def download(proxy: Deployment, source: str) -> bytes:
    connection = http.client.HTTPConnection(
        proxy.host, proxy.port, timeout=5, source_address=(source, 0)
    )
    connection.request("GET", f"/docs/assets/{LARGE}")
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 200
    return body


def test_nginx_writes_its_files_under_its_prefix_only(proxy: Deployment) -> None:
    written = {path.name for path in Path(proxy.prefix).iterdir()}
    assert {"nginx.conf", "access.log", "error.log", "cache", "tmp"} <= written


def test_killing_a_replica_under_load_fails_no_request(proxy: Deployment) -> None:
    """Distinct text spans, so every request is a miss that a replica must answer."""
    failures: list[str] = []
    answered = [0]
    counter = iter(range(1, 8_000))
    deadline = time.monotonic() + 4
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection(proxy.host, proxy.port, timeout=5)
        try:
            requests(connection)
        finally:
            connection.close()

    def requests(connection: http.client.HTTPConnection) -> None:
        while time.monotonic() < deadline:
            with lock:
                start = next(counter, None)
            if start is None:
                return
            try:
                connection.request("GET", f"/v1/articles/{ARTICLE}/text?start={start}&end=8000")
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failures.append(f"{start}: {response.status}")
                answered[0] += 1
            except (OSError, http.client.HTTPException) as error:
                failures.append(f"{start}: {error!r}")
                connection.close()

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    proxy.kill(0)
    for thread in threads:
        thread.join(timeout=20)
    assert failures == []
    assert answered[0] > 500
    lines = (proxy.prefix / "access.log").read_bytes().splitlines()
    tried = [msgspec.json.decode(line)["upstream"].split(", ") for line in lines]
    dead, alive = (f"127.0.0.1:{port}" for port in proxy.ports)
    # nginx met the dead replica and answered from the other one instead
    assert [dead, alive] in tried


def test_a_download_keeps_its_hash_and_ranges_through_the_proxy(proxy: Deployment) -> None:
    def fetch(path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(proxy.host, proxy.port, timeout=10)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return (
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            connection.close()

    status, _, index = fetch("/v1")
    assert status == 200
    (file,) = [f for f in msgspec.json.decode(index)["downloads"] if f["name"].endswith(".sqlite")]
    for attempt in ("miss", "hit"):
        status, headers, body = fetch(file["href"], **{"X-Request-Id": f"download-{attempt}"})
        assert status == 200
        assert hashlib.sha256(body).hexdigest() == file["sha256"]
        assert headers["etag"] == f'"{file["sha256"]}"'
    assert logged(proxy, "download-hit")["cache"] == "HIT"
    status, headers, body = fetch(file["href"], Range="bytes=0-15", **{"Accept-Encoding": "gzip"})
    assert (status, body) == (206, b"SQLite format 3\0")
    assert headers["content-range"] == f"bytes 0-15/{file['size']}"
