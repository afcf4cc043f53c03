"""The benchmark: this service against the limit and its peers, side by side in one run.

    python -m bench.run          # make bench: the full run; bench/results/ and BENCHMARKS.md
    python -m bench.run --smoke  # make bench-smoke: a second per case, no thresholds

Every server listens on 127.0.0.1 and is pinned to one core (``taskset``); ``wrk`` runs pinned
to the other. All servers are started first and stay up; then every case is warmed up and run
in rounds, one case after the other, so that noise from the machine falls on all cases alike.
A figure is the median over the rounds. Every figure is also given as a ratio to the limit: a
raw ASGI app returning constant bytes under the same granian configuration as the service.

The runner (this module) drives the parts, one concern each: bench/plan.py (how long and how
hard), bench/servers.py (processes, probes, builds), bench/cases.py (the cases, as a table),
bench/report.py (machine, targets, markdown). bench/scale.py makes the scale corpus and
bench/peers.py the reference apps. A benchmark of one question that stands alone (for example a
search budget at scale) is a module of its own beside them, run with ``python -m bench.<name>``.
"""

import argparse
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.cases import measure, plan_cases, prepare_scale
from bench.plan import BUILD, RESULTS, Plan
from bench.report import machine, markdown, targets, write_report
from bench.servers import build, running

# ---------------------------------------------------------------------------------------------


def run(plan: Plan) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench installs it)")
    plan.raw.mkdir(parents=True, exist_ok=True)
    (plan.raw / "wrk.log").write_text("")
    facts = plan.out / "facts.sqlite" if plan.smoke else BUILD / "bench" / "facts.sqlite"
    facts.parent.mkdir(parents=True, exist_ok=True)
    build({"ARTICLE_FACTS_DB": str(facts)})
    scale_info, scale_db = prepare_scale(plan) if plan.scale_facts else (None, None)
    servers, cases = plan_cases(plan, facts, scale_info, scale_db)
    if plan.only:
        cases = [c for c in cases if c.name == "limit" or any(o in c.name for o in plan.only)]
        servers = [s for s in servers if any(c.server is s for c in cases)]
    with running(servers, plan.raw):
        started = time.monotonic()
        measure(cases, plan, progress=True)
        rss = {server.name: server.peak_rss() for server in servers}
        loaded = time.monotonic() - started
    summaries = [case.summary() for case in cases]
    by_name = {case["name"]: case for case in summaries}
    return {
        "finished": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": machine(),
        "plan": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(plan).items()},
        "load_seconds": round(loaded),
        "cases": summaries,
        "targets": targets(by_name),
        "scale": None if scale_info is None else asdict(scale_info),
        "rss": rss,
    }


def parse(argv: Sequence[str] | None) -> Plan:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a second per case, no thresholds")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--seconds", type=int)
    parser.add_argument("--warmup", type=int)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--scale-articles", type=int)
    parser.add_argument("--scale-facts", type=int, help="0 skips the scale corpus")
    parser.add_argument("--no-datasette", action="store_true")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--only", nargs="*", default=[], help="cases whose name has one of these")
    args = parser.parse_args(argv)
    smoke = args.smoke

    def pick(value: int | None, full: int, quick: int) -> int:
        return value if value is not None else (quick if smoke else full)

    return Plan(
        smoke=smoke,
        rounds=pick(args.rounds, 3, 1),
        seconds=pick(args.seconds, 3, 1),
        warmup=pick(args.warmup, 1, 0),
        connections=args.connections,
        scale_articles=pick(args.scale_articles, 10_000, 20),
        scale_facts=pick(args.scale_facts, 1_000_000, 2_000),
        datasette=not args.no_datasette,
        out=args.out or (BUILD / "bench-smoke" if smoke else RESULTS),
        only=tuple(args.only),
    )


def main(argv: Sequence[str] | None = None) -> int:
    plan = parse(argv)
    started = time.monotonic()
    report = run(plan)
    report["took_seconds"] = round(time.monotonic() - started)
    write_report(plan, report)
    print(markdown(report))
    print(f"report in {plan.out}")
    failed = [
        case["name"]
        for case in report["cases"]
        if (case["socket_errors"] or (case["http_errors"] and case["status"] < 400))
        and case["group"] != "datasette"
    ]
    if failed:
        print(f"errors under load in {failed}", file=sys.stderr)
    return 1 if plan.smoke and failed else 0


if __name__ == "__main__":
    sys.exit(main())
