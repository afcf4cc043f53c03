"""The real server as a process, and the clients operators' tests point at it.

``Service.start`` runs ``python -m api serve`` on a free port of 127.0.0.1 with the settings
and workers a test asks for; the crowd, the probe, the load and RSS readings below are the
clients every live test uses. Every loop here is bounded in count and in time.
"""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from api.settings import ROOT
from deploy.proxy import free_port

#: A probe's answer must come within this many seconds (issue 13: "within 1 s, every time").
PROBE_TIMEOUT = 1.0


@dataclass
class Service:
    """A running ``python -m api serve``: its process, port and combined output."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    @contextlib.contextmanager
    def start(
        cls, env: dict[str, str], log: Path, workers: int = 1, wait: bool = True
    ) -> Iterator["Service"]:
        """Serve with ``env`` added to the environment; stopped (SIGTERM, then SIGKILL) after."""
        port = free_port()
        argv = [sys.executable, "-m", "api", "serve", "--port", str(port)]
        with log.open("wb") as output:
            process = subprocess.Popen(
                [*argv, "--workers", str(workers)],
                cwd=ROOT,
                env={**os.environ, **env},
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        service = cls(process, port, log)
        try:
            if wait:
                service.wait_ready(30)
            yield service
        finally:
            service.stop()

    def wait_ready(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while probe(self.port, "/health") != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {self.output()}")
            time.sleep(0.1)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def workers(self) -> list[int]:
        """The pids of the worker processes (the children of the main process)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


def probe(port: int, path: str, timeout: float = PROBE_TIMEOUT) -> int | None:
    """The status of a GET on a new connection, or None when none came within ``timeout``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def get(url: str, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of a GET (error statuses included)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, _lower(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, _lower(error.headers.items()), error.read()


def _lower(headers: list[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers}


def rss_kib(pid: int) -> int:
    """Resident memory of a process (VmRSS), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise LookupError(f"no VmRSS for {pid}")


@dataclass
class Crowd:
    """One client holding ``size`` connections open without finishing a request.

    ``slow`` connections send a partial request head (a slow-header client); the others send
    one complete keep-alive request, read the answer and then sit idle. A connection the server
    cuts is opened again until ``stop``: the crowd keeps its size, as a real one would.
    """

    port: int
    size: int
    slow: bool
    #: The client's own address (any of 127.0.0.0/8 is this machine).
    source: str = "127.0.0.1"
    opened: int = 0
    cut: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def __enter__(self) -> "Crowd":
        per_thread = 100
        for first in range(0, self.size, per_thread):
            count = min(per_thread, self.size - first)
            thread = threading.Thread(target=self._hold, args=(count,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)

    def _connect(self) -> socket.socket | None:
        try:
            sock = socket.create_connection(
                ("127.0.0.1", self.port), timeout=5, source_address=(self.source, 0)
            )
        except OSError:
            return None
        try:
            if self.slow:
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            else:
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                sock.recv(65536)
            sock.setblocking(False)
        except OSError:
            sock.close()
            return None
        self.opened += 1
        return sock

    def _hold(self, count: int) -> None:
        socks = [self._connect() for _ in range(count)]
        while not self._stop.wait(0.2):
            for index, sock in enumerate(socks):
                if sock is None:  # refused or timed out (a loaded machine): try again
                    socks[index] = self._connect()
                elif _closed(sock):
                    sock.close()
                    self.cut += 1
                    socks[index] = self._connect()
        for sock in socks:
            if sock is not None:
                sock.close()


def _closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(65536) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
