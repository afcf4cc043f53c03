"""SIGTERM under load, against the real server on 127.0.0.1: the service stops accepting, lets
every request in flight finish (a slow reader of a 1.4 MB response included), and exits 0
within its drain timeout. Bounded: a few seconds of load, one slow download."""

import http.client
import signal
import socket
import threading
import time
from dataclasses import dataclass, field

import pytest

from api.web.docs import asset
from api.web.server import DRAIN_SECONDS
from tests.conftest import ServiceFactory
from tests.live import Service

pytestmark = pytest.mark.live

LARGE = "swagger-ui-bundle.js"
URLS = ["/v1/quotes", "/v1/people/vladimir-putin", "/health", "/v1/search?q=summit"]


@dataclass
class Tally:
    """How each request of the load ended."""

    complete: int = 0
    #: A status line came, but not the whole body: what must never happen.
    cut: list[str] = field(default_factory=list)
    #: No answer at all: refused, or the connection closed before a status line (the client
    #: may retry those; a keep-alive connection the server closes between requests ends so).
    unanswered: int = 0


def load(port: int, tally: Tally, stop: threading.Event, lock: threading.Lock) -> None:
    """Keep-alive GETs, reconnecting after any failure, until ``stop`` (at most 30 s)."""
    deadline = time.monotonic() + 30
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    n = 0
    while not stop.is_set() and time.monotonic() < deadline:
        url = URLS[n % len(URLS)]
        n += 1
        started = False
        try:
            connection.request("GET", url)
            response = connection.getresponse()
            started = True
            body = response.read()
            expected = int(response.headers["content-length"])
            with lock:
                if len(body) == expected:
                    tally.complete += 1
                else:
                    tally.cut.append(f"{url}: {len(body)} of {expected} bytes")
        except (OSError, http.client.HTTPException) as exc:
            with lock:
                if started:
                    tally.cut.append(f"{url}: {exc!r}")
                else:
                    tally.unanswered += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            time.sleep(0.01)
    connection.close()


def slow_download(port: int, started: threading.Event) -> tuple[int, bytes]:
    """GET the docs bundle with a small receive window, reading 8 KiB every 10 ms (about 2 s):
    the Content-Length announced and the body read."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    sock.sendall(f"GET /docs/assets/{LARGE} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    received = b""
    while b"\r\n\r\n" not in received:
        received += sock.recv(8192)
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    started.set()
    while len(body) < length:
        chunk = sock.recv(8192)
        if not chunk:
            break
        body += chunk
        time.sleep(0.01)
    sock.close()
    return length, body


def test_sigterm_under_load_finishes_every_response_in_flight_and_exits_0(
    serve: ServiceFactory,
) -> None:
    tally, stop, lock = Tally(), threading.Event(), threading.Lock()
    with serve(workers=2) as service:
        threads = [
            threading.Thread(target=load, args=(service.port, tally, stop, lock)) for _ in range(6)
        ]
        for thread in threads:
            thread.start()
        downloading = threading.Event()
        result: list[tuple[int, bytes]] = []
        downloader = threading.Thread(
            target=lambda: result.append(slow_download(service.port, downloading))
        )
        downloader.start()
        time.sleep(1)
        assert downloading.wait(5)
        before = tally.complete
        signalled = time.monotonic()
        service.process.send_signal(signal.SIGTERM)
        code = service.process.wait(timeout=DRAIN_SECONDS + 5)
        exited = time.monotonic() - signalled
        stop.set()
        for thread in [*threads, downloader]:
            thread.join(timeout=15)
        refused = _refused(service)
    assert code == 0
    assert exited < DRAIN_SECONDS + 1
    assert before > 100, "the load ran"
    assert tally.cut == []
    ((length, body),) = result
    assert length == len(asset(LARGE))
    assert body == asset(LARGE), f"{len(body)} of {length} bytes"
    assert refused


def _refused(service: Service) -> bool:
    try:
        socket.create_connection(("127.0.0.1", service.port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False
