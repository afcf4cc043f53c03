"""The service behind the reference deployment's nginx (deploy/), against the service direct.

    python -m bench.proxy [--seconds 3] [--runs 3]

One question, one file: what does the caching proxy cost or save? A cached list is loaded with
wrk four ways in one run, each the median of a few runs, each proxied case as a ratio to the
same request sent to the replica directly:

* ``direct`` / ``proxy hit``: a plain GET, answered by the replica's own response cache, or by
  nginx's cache without asking the replica;
* ``direct 304`` / ``proxy 304``: the client revalidates with If-None-Match; the replica, or
  nginx from its stored entry, answers 304.

nginx's own revalidation with the replica (after max-age) happens once per entry and max-age,
not per request, so it is shown by tests/test_proxy.py rather than timed here. The servers
(replica and nginx) run on the first core and wrk on the second, as in bench/run.py. Results are
printed as a Markdown table and written to build/bench-proxy.json.
"""

import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

import msgspec

from api.build import build, is_fresh
from api.settings import ROOT, Settings
from deploy.proxy import Deployment, Limits, free_port

LUA = ROOT / "bench" / "report.lua"
PATH = "/v1/quotes"
#: No per-client limit may throttle the load generator.
UNLIMITED = Limits(rate=1_000_000, burst=1_000_000, connections=10_000)


def wrk(url: str, seconds: int, core: str, etag: str | None) -> dict[str, Any]:
    argv = ["taskset", "-c", core, "wrk", "-t1", "-c64", f"-d{seconds}s", "-s", str(LUA), url]
    argv += ["-H", f"If-None-Match: {etag}"] if etag else []
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60, check=True)
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("BENCH "))
    result: dict[str, Any] = json.loads(line.removeprefix("BENCH "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def median_rps(url: str, seconds: int, runs: int, core: str, etag: str | None) -> tuple[float, int]:
    results = [wrk(url, seconds, core, etag) for _ in range(runs)]
    errors = sum(r["socket_errors"] + r["http_errors"] for r in results)
    return float(statistics.median(r["rps"] for r in results)), errors


def cache_statuses(deployment: Deployment) -> dict[str, int]:
    lines = (deployment.prefix / "access.log").read_bytes().splitlines()
    return dict(collections.Counter(msgspec.json.decode(line)["cache"] for line in lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.proxy", description=__doc__)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    settings = Settings()
    if not is_fresh(settings):
        build(settings)
    cores = sorted(os.sched_getaffinity(0))
    load = str(cores[-1])
    os.sched_setaffinity(0, {cores[0]})  # the replica and nginx inherit it
    rows: list[dict[str, Any]] = []
    env = {"ARTICLE_FACTS_DB": str(settings.database)}
    prefix = Path(tempfile.mkdtemp(prefix="bench-proxy-"))
    with Deployment(prefix, 1, port=free_port(), limits=UNLIMITED, env=env) as deployment:
        direct = f"http://127.0.0.1:{deployment.ports[0]}{PATH}"
        with urllib.request.urlopen(direct) as response:
            etag = response.headers["ETag"]
        for case, url, conditional in (
            ("direct", direct, None),
            ("proxy hit", deployment.base + PATH, None),
            ("direct 304", direct, etag),
            ("proxy 304", deployment.base + PATH, etag),
        ):
            rps, errors = median_rps(url, args.seconds, args.runs, load, conditional)
            rows.append({"case": case, "rps": rps, "errors": errors})
        statuses = cache_statuses(deployment)
    print("| case | req/s | x direct | errors |\n| --- | ---: | ---: | ---: |")
    for row, reference in zip(rows, (rows[0], rows[0], rows[2], rows[2]), strict=True):
        row["ratio"] = row["rps"] / reference["rps"]
        print(f"| {row['case']} | {row['rps']:,.0f} | {row['ratio']:.2f} | {row['errors']} |")
    print(f"nginx cache statuses: {statuses}")
    (ROOT / "build" / "bench-proxy.json").write_text(json.dumps(rows, indent=2))
    return 0 if all(row["errors"] == 0 for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
