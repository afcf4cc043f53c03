"""The reference deployment on one machine: N replicas of the service behind nginx.

    python -m deploy.proxy [--replicas 2] [--host 127.0.0.1] [--port 8080]

Each replica is ``python -m api serve`` on a free loopback port, reading the same database (a
build artifact: ``make serve-proxy`` builds it first). nginx (deploy/nginx.conf) caches what the
service allows, revalidates with If-None-Match, retries the next replica when one fails, limits
connections and requests per client and cuts slow clients. Everything it writes (config, logs,
cache) goes under ``build/proxy/``. SIGTERM or Ctrl-C stops nginx, then the replicas.

The tests (tests/test_proxy.py) start the same :class:`Deployment` on 127.0.0.1.
"""

import argparse
import getpass
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from types import TracebackType

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("nginx.conf")


class Config(Template):
    """deploy/nginx.conf's placeholders are ``@{name}``: nginx's own variables use ``$``."""

    delimiter = "@"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    """Until ``url`` answers 200, or fail when the process exits or time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not come up (exit {process.poll()})") from None
            time.sleep(0.1)


@dataclass
class Limits:
    """Per-client protections: requests a second (with a burst), connections in use, and the
    seconds a reader may take no bytes of a response before it is cut (nginx's send_timeout)."""

    rate: int = 200
    burst: int = 400
    connections: int = 64
    send_timeout: int = 10


@dataclass
class Deployment:
    prefix: Path
    replicas: int = 2
    host: str = "127.0.0.1"
    port: int = 8080
    limits: Limits = field(default_factory=Limits)
    #: Added to the replicas' environment (e.g. ``ARTICLE_FACTS_MAX_AGE``).
    env: dict[str, str] = field(default_factory=dict)
    #: A fixed kernel send buffer per client connection, in bytes (nginx's ``sndbuf``); None
    #: keeps the kernel's own sizing, which grows with the connection (production).
    send_buffer: int | None = None
    ports: list[int] = field(default_factory=list)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    nginx: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def config(self) -> str:
        upstreams = "\n".join(
            f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;" for port in self.ports
        )
        return Config(TEMPLATE.read_text(encoding="utf-8")).substitute(
            prefix=self.prefix,
            user=getpass.getuser(),
            host=self.host,
            port=self.port,
            upstreams=upstreams,
            rate=self.limits.rate,
            burst=self.limits.burst,
            connections=self.limits.connections,
            send_timeout=f"{self.limits.send_timeout}s",
            listen="" if self.send_buffer is None else f" sndbuf={self.send_buffer}",
        )

    def start(self) -> None:
        for name in ("tmp", "cache"):
            (self.prefix / name).mkdir(parents=True, exist_ok=True)
        self.ports = [free_port() for _ in range(self.replicas)]
        for index in range(self.replicas):
            self.processes.append(self._replica(index))
        for port, process in zip(self.ports, self.processes, strict=True):
            wait_for(f"http://127.0.0.1:{port}/health", process)
        self._proxy()

    def _proxy(self, attempts: int = 3) -> None:
        """Start nginx. ``free_port`` can only name a port that was free: when another process
        took it meanwhile, nginx cannot bind and exits; it is then started on another port."""
        for attempt in range(1, attempts + 1):
            (self.prefix / "nginx.conf").write_text(self.config(), encoding="utf-8")
            with (self.prefix / "nginx.stderr").open("wb") as stderr:
                self.nginx = subprocess.Popen(
                    ["nginx", "-p", str(self.prefix), "-c", "nginx.conf", "-g", "daemon off;"],
                    stderr=stderr,
                )
            try:
                wait_for(f"{self.base}/health", self.nginx)
                return
            except RuntimeError:
                said = (self.prefix / "nginx.stderr").read_bytes()
                if self.nginx.poll() is None or attempt == attempts or b"in use" not in said:
                    raise
                self.port = free_port(self.host)

    def _replica(self, index: int) -> subprocess.Popen[bytes]:
        argv = [sys.executable, "-m", "api", "serve", "--port", str(self.ports[index])]
        with (self.prefix / f"replica-{index}.log").open("wb") as log:
            return subprocess.Popen(
                argv,
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() takes its workers too
            )

    def kill(self, index: int) -> None:
        """Kill replica ``index`` and its workers at once, as a crash would."""
        os.killpg(self.processes[index].pid, signal.SIGKILL)
        self.processes[index].wait(timeout=10)

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful: finish requests in flight
            self.nginx.wait(timeout=20)
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)

    def __enter__(self) -> "Deployment":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.proxy", description=__doc__)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    prefix = ROOT / "build" / "proxy"
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    with Deployment(prefix, args.replicas, args.host, args.port) as deployment:
        print(f"nginx on {deployment.base}, replicas on ports {deployment.ports}", flush=True)
        print(f"logs, config and cache in {prefix}", flush=True)
        stopping.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
