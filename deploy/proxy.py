"""The reference deployment on one machine: N replicas of the service behind nginx.

    python -m deploy.proxy --replicas 2 --port 8080     # make serve-proxy

Each replica is ``python -m api serve`` on its own port of 127.0.0.1 (machines, in production:
DEPLOY.md); nginx (Debian's package) runs with deploy/nginx.conf, filled in here, under
``build/deploy/`` (its cache, logs and temporary files). Ctrl-C stops everything.
"""

import argparse
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("nginx.conf")


def render(port: int, replicas: Sequence[int], prefix: Path) -> str:
    """deploy/nginx.conf with its placeholders filled in."""
    upstreams = "\n        ".join(
        f"server 127.0.0.1:{replica} max_fails=1 fail_timeout=5s;" for replica in replicas
    )
    # Started by root, nginx's workers would run as nobody; here they run as whoever starts it,
    # so they can write under a prefix only that user may enter (a system service uses its own).
    user = pwd.getpwuid(os.geteuid())
    workers = (
        f"user {user.pw_name} {grp.getgrgid(user.pw_gid).gr_name};" if user.pw_uid == 0 else ""
    )
    text = TEMPLATE.read_text()
    values = {"PREFIX": str(prefix), "PORT": str(port), "UPSTREAMS": upstreams, "USER": workers}
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    return text


def nginx(port: int, replicas: Sequence[int], prefix: Path) -> "subprocess.Popen[bytes]":
    """nginx in the foreground with a fresh configuration, cache and logs under ``prefix``;
    returns once it accepts connections on ``port``."""
    executable = shutil.which("nginx") or "/usr/sbin/nginx"
    shutil.rmtree(prefix, ignore_errors=True)
    prefix.mkdir(parents=True)
    config = prefix / "nginx.conf"
    config.write_text(render(port, replicas, prefix))
    argv = [executable, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(config)]
    subprocess.run([*argv, "-t", "-q"], check=True)
    process = subprocess.Popen(argv)
    deadline = time.monotonic() + 10
    while not _accepts(port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"nginx did not start: {(prefix / 'error.log').read_text()}")
        time.sleep(0.05)
    return process


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def replica(port: int, workers: int = 1) -> "subprocess.Popen[bytes]":
    """One replica: ``python -m api serve`` on ``port``, with this environment."""
    argv = [sys.executable, "-m", "api", "serve", "--port", str(port)]
    return subprocess.Popen([*argv, "--workers", str(workers)], cwd=ROOT, env=os.environ.copy())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy.proxy", description=__doc__)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080, help="nginx's port")
    parser.add_argument("--first-replica-port", type=int, default=8101)
    args = parser.parse_args(argv)
    ports = [args.first_replica_port + n for n in range(args.replicas)]
    processes = [replica(port) for port in ports]
    for port in ports:
        deadline = time.monotonic() + 30
        while not _accepts(port):
            if time.monotonic() > deadline:
                raise SystemExit(f"replica on port {port} did not start")
            time.sleep(0.1)
    processes.append(nginx(args.port, ports, ROOT / "build" / "deploy"))
    print(f"http://127.0.0.1:{args.port} -> replicas on ports {', '.join(map(str, ports))}")
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=15)


if __name__ == "__main__":
    main()
