"""Cached GETs of earlier commits beside the code checked out, in one run: what a change cost.

    python -m bench.commits [--commit REV ...] [--rounds 5] [--seconds 3]

One question, one file. A target like issue 11's ("no performance regression: cached GETs
>= 0.84 x the limit, today's figures") asks what a change cost, and later changes make the
service do more per request (issue 12's larger records, issue 14's log line, request id and
metrics), so today's service against the limit does not answer it. Two commits measured side
by side with everything else equal do: the same machine, run, limit and dependencies (this
checkout's locked venv), each commit's own fixtures built by its own code. By default the
commits are the code before issue 11 (``df30371``) and its merge (``409a52b``); the code checked
out is measured too, as it runs today.

Each commit is exported with ``git archive`` into ``build/commits/<commit>/``, then built and
served by its own ``python -m api``; the servers run on one core, wrk on the other, and each
round runs every case in turn (as bench/run.py does). Prints a Markdown table.
"""

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from api.settings import ROOT, Settings
from bench.cases import Case, measure, quote_id
from bench.plan import Plan
from bench.servers import PYTHON, Server, cores, peer, running, service

BEFORE, AFTER = "df30371", "409a52b"
FOLDER = ROOT / "build" / "commits"


@dataclass
class Code:
    """One version of the service: a commit's tree (or the checkout) and its database."""

    name: str
    tree: Path
    database: Path

    def server(self, cpus: str) -> Server:
        if self.tree == ROOT:
            return service(self.name, self.database, cpus)
        argv = [PYTHON, "-m", "api", "serve", "--port", "{port}"]
        launch = ["sh", "-c", f'cd "{self.tree}" && exec "$@"', "sh", *argv]
        return Server(self.name, launch, cpus, "/v1", {"ARTICLE_FACTS_DB": str(self.database)})


def exported(commit: str) -> Code:
    """``commit``'s tree in build/commits/, its database built by its own code."""
    try:
        full = _git("rev-parse", "--verify", f"{commit}^{{commit}}").strip()
    except subprocess.CalledProcessError:
        raise SystemExit(f"{commit}: not a commit of this clone (a shallow one lacks it)") from None
    tree = FOLDER / full
    if not tree.is_dir():
        archive = subprocess.run(
            ["git", "archive", full], cwd=ROOT, capture_output=True, check=True
        )
        FOLDER.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(dir=FOLDER, prefix=".export-"))
        try:
            with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
                tar.extractall(temporary, filter="data")
            os.rename(temporary, tree)  # whole or not at all
        finally:
            shutil.rmtree(temporary, ignore_errors=True)
    database = tree / "build" / "facts.sqlite"
    _build(tree, database)
    return Code(full[:7], tree, database)


def checkout() -> Code:
    database = Settings().database
    _build(ROOT, database)
    return Code("checkout", ROOT, database)


def _build(tree: Path, database: Path) -> None:
    """``python -m api build`` of ``tree``'s own code and inputs; what it prints goes to stderr
    (stdout is the report)."""
    env = {**os.environ, "ARTICLE_FACTS_DB": str(database)}
    subprocess.run([PYTHON, "-m", "api", "build"], cwd=tree, env=env, stdout=sys.stderr, check=True)


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout


def plan(codes: list[Code], server_core: str) -> tuple[list[Server], list[Case]]:
    limit = peer("limit", "bench.peers:limit", server_core)
    servers, cases = [limit], [Case("limit", "reference", limit, "/", "raw ASGI, constant bytes")]
    for code in codes:
        server = code.server(server_core)
        servers.append(server)
        item = f"/v1/quotes/{quote_id(code.database)}"
        for kind, path in (("list", "/v1/quotes"), ("item", item)):
            cases.append(Case(f"{code.name} {kind}", code.name, server, path, f"cached {kind}"))
    return servers, cases


def table(codes: list[Code], cases: list[Case]) -> str:
    by_name = {case.name: case for case in cases}
    limit = statistics.median(run["rps"] for run in by_name["limit"].runs)
    lines = [
        f"limit (raw ASGI, constant bytes): {limit:,.0f} req/s; ratios per round in brackets.",
        "",
        f"| code | case | bytes | req/s | x limit | x {codes[0].name} |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for code in codes:
        for kind in ("list", "item"):
            case, first = by_name[f"{code.name} {kind}"], by_name[f"{codes[0].name} {kind}"]
            rps = statistics.median(run["rps"] for run in case.runs)
            per_round = [a["rps"] / b["rps"] for a, b in zip(case.runs, first.runs, strict=True)]
            spread = ", ".join(f"{ratio:.2f}" for ratio in per_round)
            ratio = rps / statistics.median(run["rps"] for run in first.runs)
            lines.append(
                f"| {code.name} | cached {kind} | {case.size:,} | {rps:,.0f} | {rps / limit:.2f}"
                f" | {ratio:.3f} [{spread}] |"
            )
    errors = sum(r["socket_errors"] + r["http_errors"] for case in cases for r in case.runs)
    return "\n".join([*lines, "", *verdicts(codes, by_name, limit), f"errors: {errors}"])


#: A later commit regressed when its median is under this share of the earlier one's: the
#: rounds of one case move by about 3 % (BENCHMARKS.md).
NOISE = 0.97
#: Issue 11's bar for cached GETs: the figures of the day it was filed.
ISSUE_11 = 0.84


def verdicts(codes: list[Code], by_name: dict[str, Case], limit: float) -> list[str]:
    """For each commit after the first: no regression (within NOISE), and >= ISSUE_11 x limit."""

    def rps(name: str) -> float:
        return float(statistics.median(run["rps"] for run in by_name[name].runs))

    found = []
    for code in codes[1:]:
        if code.tree == ROOT:
            continue
        kinds = ("list", "item")
        kept = all(rps(f"{code.name} {k}") >= NOISE * rps(f"{codes[0].name} {k}") for k in kinds)
        near = all(rps(f"{code.name} {k}") >= ISSUE_11 * limit for k in kinds)
        found.append(
            f"- {code.name} against {codes[0].name}: no regression (>= {NOISE} x, cached list"
            f" and item): {'yes' if kept else 'no'}; cached GETs >= {ISSUE_11} x the limit:"
            f" {'yes' if near else 'no'}"
        )
    return [*found, ""] if found else []


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.commits", description=__doc__)
    parser.add_argument("--commit", action="append", help=f"default: {BEFORE} and {AFTER}")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=3)
    args = parser.parse_args(argv)
    for name in [name for name in os.environ if name.startswith("ARTICLE_FACTS_")]:
        del os.environ[name]  # each code is built and served with its own settings only
    codes = [*map(exported, args.commit or [BEFORE, AFTER]), checkout()]
    servers, cases = plan(codes, cores()[0])
    how = Plan(
        smoke=False,
        rounds=args.rounds,
        seconds=args.seconds,
        warmup=1,
        connections=64,
        scale_articles=0,
        scale_facts=0,
        datasette=False,
        out=FOLDER,
    )
    how.raw.mkdir(parents=True, exist_ok=True)
    (how.raw / "wrk.log").write_text("")
    with running(servers, how.raw):
        measure(cases, how)  # the warm-up caches each response
    print(table(codes, cases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
