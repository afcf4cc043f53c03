"""The cases, as a table: every load the benchmark measures, the server it runs against and
what it shows; the scale corpus some of them read."""

import base64
import json
import logging
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from api.settings import Settings
from api.web.app import create_app
from api.web.query import Cursor, encode_cursor
from bench import scale
from bench.plan import BUILD, Plan
from bench.servers import ROUTED, UNCACHED, Server, build, cores, fetch, peer, service

LUA = Path(__file__).with_name("report.lua")


@dataclass
class Case:
    """One load: a URL of a server, with its group, what it shows and the status it must get."""

    name: str
    group: str
    server: Server
    path: str
    what: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    #: Revalidate: send If-None-Match with the ETag this path currently has.
    revalidate: bool = False
    #: Connections for this case when not the plan's (a case too slow for 64 to mean much).
    connections: int | None = None
    runs: list[dict[str, Any]] = field(default_factory=list)
    size: int = 0

    @property
    def url(self) -> str:
        return self.server.base + self.path

    def check(self) -> None:
        """One plain request first: the case must answer what it claims to measure."""
        if self.revalidate:
            self.headers["If-None-Match"] = fetch(self.url)[1]["etag"]
        status, _, body = fetch(self.url, self.headers)
        if status != self.status:
            raise RuntimeError(f"{self.name}: {self.url} answered {status}, not {self.status}")
        self.size = len(body)

    def load(self, seconds: int, connections: int, core: str, raw: Path) -> dict[str, Any]:
        header_args = [arg for k, v in self.headers.items() for arg in ("-H", f"{k}: {v}")]
        connections = self.connections or connections
        argv = ["taskset", "-c", core, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s"]
        argv += ["--timeout", "10s", "-s", str(LUA), *header_args, self.url]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
        with (raw / "wrk.log").open("a") as log:
            log.write(f"$ {' '.join(argv)}\n{done.stdout}{done.stderr}\n")
        line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH ")), None)
        if line is None:
            raise RuntimeError(f"{self.name}: wrk gave no report: {done.stderr.strip()}")
        result: dict[str, Any] = json.loads(line.removeprefix("BENCH "))
        result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
        self.server.settle()
        return result

    def summary(self) -> dict[str, Any]:
        def median(key: str) -> float:
            return float(statistics.median(run[key] for run in self.runs))

        return {
            "name": self.name,
            "group": self.group,
            "what": self.what,
            "path": self.path,
            "headers": self.headers,
            "status": self.status,
            "connections": self.connections,
            "response_bytes": self.size,
            "rps": round(median("rps")),
            "p50_ms": median("p50_us") / 1000,
            "p99_ms": median("p99_us") / 1000,
            "socket_errors": sum(run["socket_errors"] for run in self.runs),
            "http_errors": sum(run["http_errors"] for run in self.runs),
            "runs": [round(run["rps"]) for run in self.runs],
        }


def measure(cases: list[Case], plan: Plan, *, progress: bool = False) -> None:
    """Each case checked, warmed up, then loaded in ``plan.rounds`` rounds, every case in turn
    in each round (so that noise from the machine falls on all cases alike)."""
    for case in cases:
        case.check()
    _, load_core, _ = cores()
    if plan.warmup:
        for case in cases:
            case.load(plan.warmup, plan.connections, load_core, plan.raw)
    for number in range(plan.rounds):
        for case in cases:
            case.runs.append(case.load(plan.seconds, plan.connections, load_core, plan.raw))
        if progress:
            print(f"round {number + 1}/{plan.rounds} done", flush=True)


def datasette(plan: Plan) -> Path | None:
    """Datasette, the peer: installed from the lock (the ``bench`` extra), run as a program."""
    executable = Path(sys.executable).parent / "datasette"
    return executable if plan.datasette and not plan.smoke else None


@dataclass
class Scale:
    """The synthetic corpus: its size, build time, database size and the pages it is read at."""

    articles: int
    facts: int
    generate_s: float
    build_s: float
    database_bytes: int
    counts: dict[str, int]
    limit: int
    deep_page: int
    deep_cursor: str
    speaker: str
    person_query: str


def prepare_scale(plan: Plan) -> tuple[Scale, Path]:
    folder = BUILD / ("scale-smoke" if plan.smoke else "scale")
    started = time.monotonic()
    scale.generate(folder, plan.scale_articles, plan.scale_facts)
    generated = time.monotonic() - started
    database = folder / "facts.sqlite"
    env = {
        "ARTICLE_FACTS_SEEDS": str(folder / "seeds"),
        "ARTICLE_FACTS_FIXTURES": str(folder / "fixtures"),
        "ARTICLE_FACTS_DB": str(database),
    }
    seconds = build(env)
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        counts = {
            name: connection.execute(f"select count(*) from {name}").fetchone()[0]  # noqa: S608
            for name in ("articles", "quotes", "statistics", "meetings", "members", "people")
        }
        quotes = counts["quotes"]
        limit = max(1, min(20, quotes // 10_001))
        page = max(2, min(10_000, quotes // limit - 1))
        last = connection.execute(
            "select id from quotes order by id limit 1 offset ?", ((page - 1) * limit - 1,)
        ).fetchone()[0]
        speaker = connection.execute(
            "select target from links where resource = 'quotes' and rel = 'speaker'"
            " order by target limit 1"
        ).fetchone()[0]
        person = connection.execute("select name from search where type = 'person' limit 1")
        person_query = person.fetchone()[0]
    finally:
        connection.close()
    return (
        Scale(
            articles=counts["articles"],
            facts=sum(counts[name] for name in ("quotes", "statistics", "meetings", "members")),
            generate_s=round(generated, 1),
            build_s=round(seconds, 1),
            database_bytes=database.stat().st_size,
            counts=counts,
            limit=limit,
            deep_page=page,
            deep_cursor=encode_cursor(Cursor("id", last, last)),
            speaker=speaker,
            person_query=person_query,
        ),
        database,
    )


def rendered(database: Path, path: str) -> bytes:
    """The body the service answers at ``path``, rendered in-process."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with TestClient(app=create_app(Settings(database=database))) as client:
        return client.get(path).content


def captured(database: Path, paths: list[str]) -> list[dict[str, Any]]:
    """The service's complete responses at ``paths`` (rendered in-process, as the cached service
    answers them), for bench/peers.py's ``limit_responses``; the last path is asked again with
    the ETag it got, so its 304 is captured too."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    rows = []
    with TestClient(app=create_app(Settings(database=database))) as client:
        for number, path in enumerate(paths):
            conditional = number == len(paths) - 1
            headers = {"Accept-Encoding": "identity"}  # as wrk asks: no coding
            if conditional:
                headers["If-None-Match"] = client.get(path, headers=headers).headers["etag"]
            response = client.get(path, headers=headers)
            parts = urllib.parse.urlsplit(path)
            rows.append(
                {
                    "path": parts.path,
                    "query": parts.query,
                    "conditional": conditional,
                    "status": response.status_code,
                    "headers": list(response.headers.multi_items()),
                    "body": base64.b64encode(response.content).decode(),
                }
            )
    return rows


def quote_id(database: Path) -> str:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return str(connection.execute("select id from quotes order by id limit 1").fetchone()[0])
    finally:
        connection.close()


def plan_cases(
    plan: Plan, database: Path, scale_info: Scale | None, scale_db: Path | None
) -> tuple[list[Server], list[Case]]:
    server_core, _, both = cores()
    quote = quote_id(database)
    limit = peer("limit", "bench.peers:limit", server_core)
    list_body = plan.raw / "quotes.json"
    list_body.write_bytes(rendered(database, "/v1/quotes"))
    filtered = "/v1/meetings?kind=summit&date_from=2015-01-01"
    search = "/v1/search?q=terrorism"
    kinds = {"list": "/v1/quotes", "item": f"/v1/quotes/{quote}", "filtered": filtered}
    kinds["search"] = search
    answers = plan.raw / "responses.json"
    answers.write_text(json.dumps(captured(database, [*kinds.values(), kinds["item"]])))
    same = peer(
        "limit-responses",
        "bench.peers:limit_responses",
        server_core,
        kinds["list"],
        BENCH_RESPONSES=str(answers),
    )
    constant = peer("litestar-constant", "bench.peers:litestar_constant", server_core)
    constant_list = peer(
        "litestar-list-bytes",
        "bench.peers:litestar_same_bytes",
        server_core,
        BENCH_BODY=str(list_body),
    )
    one_read = peer(
        "litestar-aiosqlite",
        "bench.peers:litestar_aiosqlite",
        server_core,
        f"/{quote}",
        ARTICLE_FACTS_DB=str(database),
    )
    cached = service("service", database, server_core)
    uncached = service("service-uncached", database, server_core, UNCACHED)
    routed = service("service-routed", database, server_core, ROUTED)
    two = service("service-2-workers", database, both, workers=2)
    two_uncached = service("service-2-workers-uncached", database, both, UNCACHED, workers=2)
    servers = [limit, same, constant, constant_list, one_read, cached, uncached, routed, two]
    servers.append(two_uncached)
    cases = [
        Case("limit", "reference", limit, "/", "raw ASGI, constant bytes (the limit)"),
        *(
            Case(f"limit, {kind} response", "reference", same, path, "raw ASGI, the same response")
            for kind, path in kinds.items()
        ),
        Case(
            "limit, 304 response",
            "reference",
            same,
            kinds["item"],
            "raw ASGI, the item's 304",
            status=304,
            revalidate=True,
        ),
        Case("litestar constant", "reference", constant, "/", "minimal Litestar route, same bytes"),
        Case(
            "litestar constant, list bytes",
            "reference",
            constant_list,
            "/",
            "the same route, the bytes of GET /v1/quotes",
        ),
        Case("litestar + aiosqlite", "reference", one_read, f"/{quote}", "one aiosqlite read"),
    ]
    for label, server, group in (
        ("cached", cached, "service, cached"),
        ("uncached", uncached, "service, uncached (fast path)"),
        ("routed", routed, "service, uncached, fast path off"),
    ):
        cases += [
            Case(f"{label} list", group, server, "/v1/quotes", "GET /v1/quotes"),
            Case(f"{label} item", group, server, f"/v1/quotes/{quote}", "GET /v1/quotes/{id}"),
            Case(f"{label} filtered", group, server, filtered, "GET /v1/meetings?kind=&date_from="),
            Case(f"{label} search", group, server, search, "GET /v1/search?q="),
        ]
        if label == "cached":
            cases += [
                Case(
                    f"cached list, {coding}",
                    group,
                    server,
                    "/v1/quotes",
                    f"GET /v1/quotes, Accept-Encoding: {coding} (kept compressed)",
                    headers={"Accept-Encoding": coding},
                )
                for coding in ("gzip", "br")
            ]
            cases.append(
                Case(
                    "cached 304",
                    group,
                    server,
                    f"/v1/quotes/{quote}",
                    "If-None-Match revalidation",
                    status=304,
                    revalidate=True,
                )
            )
    cases += [
        Case("2 workers cached item", "workers", two, f"/v1/quotes/{quote}", "cached item"),
        Case("2 workers uncached list", "workers", two_uncached, "/v1/quotes", "uncached list"),
    ]
    executable = datasette(plan)
    if executable is not None:
        argv = [str(executable), "serve", "--immutable", str(database)]
        argv += ["--host", "127.0.0.1", "--port", "{port}"]
        ds = Server("datasette", argv, server_core, "/-/versions.json")
        servers.append(ds)
        name = database.stem
        cases += [
            Case(
                "datasette table",
                "datasette",
                ds,
                f"/{name}/quotes.json?_shape=objects",
                "table JSON (like GET /v1/quotes)",
            ),
            Case(
                "datasette row",
                "datasette",
                ds,
                f"/{name}/quotes/{quote}.json?_shape=objects",
                "row JSON (like GET /v1/quotes/{id})",
            ),
        ]
    if scale_info is not None and scale_db is not None:
        # The service's own factory under its granian settings, uncached; not through the CLI,
        # whose staleness check would read the whole corpus again before serving.
        big = peer(
            "service-scale",
            "api.web.app:create_app",
            server_core,
            "/health",
            ARTICLE_FACTS_DB=str(scale_db),
            **UNCACHED,
        )
        servers.append(big)
        n = scale_info.limit
        cases += [
            Case("scale first page", "scale", big, f"/v1/quotes?limit={n}", "first page"),
            Case(
                "scale deep page",
                "scale",
                big,
                f"/v1/quotes?limit={n}&cursor={scale_info.deep_cursor}",
                f"page {scale_info.deep_page:,} (keyset cursor)",
            ),
            Case(
                "scale filtered",
                "scale",
                big,
                f"/v1/quotes?speaker={scale_info.speaker}&limit={n}",
                "quotes of one speaker",
            ),
            Case(
                "scale broad filter",
                "scale",
                big,
                f"/v1/meetings?kind=summit&limit={n}",
                "a quarter of all meetings",
            ),
            Case(
                "scale search",
                "scale",
                big,
                f"/v1/search?q={urllib.parse.quote(scale_info.person_query)}&limit={n}",
                "search: a person's name",
            ),
            Case(
                "scale search, common word",
                "scale",
                big,
                f"/v1/search?q=drought&limit={n}",
                "search: a word in ~1 of 8 facts; refused as too broad at full scale (1 conn.)",
                # The smoke corpus is too small for the word to pass the 5,000-match cap.
                status=200 if plan.smoke else 400,
                connections=1,
            ),
        ]
    return servers, cases
