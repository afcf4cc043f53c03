"""The servers under load: processes pinned to a core, started as users run them, probed and
stopped as one session; the build of their databases."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from api.settings import ROOT
from deploy.proxy import free_port

PYTHON = sys.executable


def cores() -> tuple[str, str, str]:
    """(server core, load core, both): the service and wrk never share a core when there are two."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        only = str(available[0])
        return only, only, only
    server, load = str(available[0]), str(available[1])
    return server, load, f"{server},{load}"


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


@dataclass
class Server:
    """A server process pinned to ``cpus``; started in its own session so it stops as one."""

    name: str
    argv: list[str]
    cpus: str
    probe: str
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, logs: Path) -> None:
        argv = [part.replace("{port}", str(self.port)) for part in self.argv]
        with (logs / f"{self.name}.log").open("wb") as log:
            self.process = subprocess.Popen(
                ["taskset", "-c", self.cpus, *argv],
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}")
            try:
                if fetch(self.base + self.probe)[0] == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not answer within {timeout} s")
            time.sleep(0.2)

    def peak_rss(self) -> dict[str, int]:
        """Peak resident set (VmHWM, KiB) of the server's processes: total and largest one."""
        if self.process is None:
            return {"total_kib": 0, "largest_kib": 0, "processes": 0}
        peaks = [_vm_hwm(pid) for pid in _tree(self.process.pid)]
        return {
            "total_kib": sum(peaks),
            "largest_kib": max(peaks, default=0),
            "processes": len(peaks),
        }

    def rss_kib(self) -> int:
        """Resident set (VmRSS, KiB) of the server's processes now, summed."""
        if self.process is None:
            return 0
        return sum(_status(pid, "VmRSS:") for pid in _tree(self.process.pid))

    def cpu_seconds(self) -> float:
        """CPU time the server's processes have used so far."""
        if self.process is None:
            return 0.0
        ticks = 0
        for pid in _tree(self.process.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def settle(self, timeout: float = 60) -> None:
        """Wait until the server is idle: the tail of one load must not fall on the next."""
        deadline = time.monotonic() + timeout
        before = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(0.2)
            now = self.cpu_seconds()
            if now - before < 0.02:
                return
            before = now

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)


@contextlib.contextmanager
def running(servers: list[Server], logs: Path) -> Iterator[None]:
    """Every server started and answering; all stopped after, whatever happened."""
    try:
        for server in servers:
            server.start(logs)
        for server in servers:
            server.wait()
        yield
    finally:
        for server in servers:
            server.stop()


def _tree(pid: int) -> Iterator[int]:
    yield pid
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            yield from _tree(int(child))


def _vm_hwm(pid: int) -> int:
    return _status(pid, "VmHWM:")


def _status(pid: int, key: str) -> int:
    """A KiB figure of /proc/<pid>/status (0 for a process that has gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def build(env: dict[str, str]) -> float:
    """``python -m api build`` with ``env``; returns the seconds it took."""
    started = time.monotonic()
    subprocess.run(
        [PYTHON, "-m", "api", "build"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        timeout=1800,
    )
    return time.monotonic() - started


def service(
    name: str, database: Path, cpus: str, env: dict[str, str] | None = None, *, workers: int = 1
) -> Server:
    """``python -m api serve`` as users run it, over ``database``, with ``env`` added."""
    argv = [PYTHON, "-m", "api", "serve", "--port", "{port}", "--workers", str(workers)]
    return Server(name, argv, cpus, "/health", {"ARTICLE_FACTS_DB": str(database), **(env or {})})


def peer(name: str, target: str, cpus: str, probe: str = "/", **env: str) -> Server:
    """A reference app of bench/peers.py (or any factory) under the service's granian settings."""
    return Server(name, [PYTHON, "-m", "bench.serve", target, "--port", "{port}"], cpus, probe, env)


UNCACHED = {"ARTICLE_FACTS_CACHE_BYTES": "0"}
ROUTED = {"ARTICLE_FACTS_CACHE_BYTES": "0", "ARTICLE_FACTS_FAST_PATH": "0"}
