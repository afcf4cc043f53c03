"""One question: how fast does the service export a whole collection as CSV, against the
``sqlite3 -csv`` shell reading the same table (the limit), and does its memory stay flat?

The scale corpus (bench/scale.py) with a million facts has 400,000 quotes. The service streams
``GET /v1/quotes?format=csv`` (no ``limit``: every record, keyset pages of the CSV rows the build
stored, api/model/tables.py); the shell prints ``select * from quotes`` as CSV (the records'
table: the rows are in a table of their own, so what the shell prints is what it was). Both run
pinned to the same core and write to a reader that only counts lines; the figure is rows per
second, best of ``--runs``. While the service exports, its resident set is sampled every 50 ms;
VmHWM gives the peak.

    make sqlite3 && python -m bench.export [--database build/scale/facts.sqlite]
"""

import argparse
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import msgspec

from api.model.catalog import RESOURCES
from bench import scale
from bench.servers import build, cores, service

CHUNK = 1 << 16


def corpus(database: Path) -> dict[str, str]:
    """The settings of the scale corpus beside ``database``: ``serve`` rebuilds a database
    whose inputs are not the ones it was built from, so the service is given these too."""
    out = database.parent
    return {
        "ARTICLE_FACTS_SEEDS": str(out / "seeds"),
        "ARTICLE_FACTS_FIXTURES": str(out / "fixtures"),
        "ARTICLE_FACTS_DB": str(database),
    }


def ensure(database: Path, facts: int) -> None:
    """The scale corpus's database, generated and built when there is none."""
    if not database.exists():
        scale.generate(database.parent, articles=max(facts // 100, 1), facts=facts)
        build(corpus(database))


def shell(database: Path, table: str, cpus: str) -> tuple[float, int]:
    """Seconds and lines of ``sqlite3 -csv`` printing the whole table."""
    started = time.monotonic()
    process = subprocess.Popen(
        # The table is a catalog name (argparse choices), never free text.
        ["taskset", "-c", cpus, "sqlite3", "-csv", str(database), f"select * from {table}"],  # noqa: S608
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    lines = _count(process.stdout)
    if process.wait(timeout=600) != 0:
        raise RuntimeError("sqlite3 failed")
    return time.monotonic() - started, lines


def _count(stream: Any) -> int:
    lines = 0
    while chunk := stream.read(CHUNK):
        lines += chunk.count(b"\n")
    return lines


def export(url: str) -> tuple[float, int]:
    """Seconds and lines of the service's CSV of the whole collection (header included)."""
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=600) as response:
        lines = _count(response)
    return time.monotonic() - started, lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.export", description=__doc__)
    parser.add_argument("--database", type=Path, default=Path("build/scale/facts.sqlite"))
    parser.add_argument("--facts", type=int, default=1_000_000)
    parser.add_argument("--collection", default="quotes", choices=[r.name for r in RESOURCES])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("build/bench/export.json"))
    args = parser.parse_args(argv)
    ensure(args.database, args.facts)
    server_core, _, _ = cores()
    shell_runs = [shell(args.database, args.collection, server_core) for _ in range(args.runs)]
    rows = shell_runs[0][1]
    server = service("export", args.database, server_core, corpus(args.database))
    logs = args.out.parent
    logs.mkdir(parents=True, exist_ok=True)
    server.start(logs)
    samples: list[tuple[float, int]] = []
    try:
        server.wait()
        idle = server.rss_kib()
        done = threading.Event()

        def sample() -> None:
            start = time.monotonic()
            while not done.wait(0.05):
                samples.append((time.monotonic() - start, server.rss_kib()))

        sampler = threading.Thread(target=sample)
        sampler.start()
        url = f"{server.base}/v1/{args.collection}?format=csv"
        try:
            service_runs = [export(url) for _ in range(args.runs)]
        finally:
            done.set()
            sampler.join()
        peak = server.peak_rss()
    finally:
        server.stop()
    if any(lines != rows + 1 for _, lines in service_runs):
        raise RuntimeError(f"the export has {service_runs} lines, the table {rows} rows")
    limit = rows / min(seconds for seconds, _ in shell_runs)
    got = rows / min(seconds for seconds, _ in service_runs)
    rss = [kib for _, kib in samples]
    report = {
        "collection": args.collection,
        "rows": rows,
        "sqlite3_rows_per_second": round(limit),
        "service_rows_per_second": round(got),
        "ratio": round(got / limit, 3),
        "rss_idle_kib": idle,
        "rss_during_export_kib": {
            "min": min(rss, default=0),
            "max": max(rss, default=0),
            "first_tenth_max": max(rss[: max(len(rss) // 10, 1)], default=0),
        },
        "peak_rss": peak,
        "runs": {"sqlite3": shell_runs, "service": service_runs},
    }
    args.out.write_bytes(msgspec.json.format(msgspec.json.encode(report)))
    print(msgspec.json.format(msgspec.json.encode(report)).decode())


if __name__ == "__main__":
    main()
