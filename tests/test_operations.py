"""Operations: the access log, request ids and metrics (issue 14).

The log line and the metrics are read from real servers on 127.0.0.1 (``python -m api serve``:
its stdout, its ``/metrics``, two workers); request ids and the log's writer also in process.
Every loop is bounded.
"""

import asyncio
import datetime
import http.client
import logging
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.model import downloads
from api.settings import ROOT, Settings
from api.web import ledger
from api.web.access import REQUEST_ID, AccessLog, Answer, JsonFormatter, PlainFormatter
from api.web.app import create_app
from api.web.metrics import Metrics
from deploy.proxy import free_port
from tests import cut_stream
from tests.conftest import ServiceFactory
from tests.live import Service, probe

MADE = re.compile(r"[0-9a-f]{12}-[0-9a-f]+")
#: Each request of the log test: (method, path and query, request headers, how answered).
EXCHANGES: list[tuple[str, str, dict[str, str], str]] = [
    ("GET", "/v1/quotes?limit=3", {}, "fast"),
    ("GET", "/v1/quotes?limit=3", {}, "cache"),
    ("HEAD", "/v1/quotes?limit=3", {}, "cache"),
    ("GET", "/v1/quotes?format=ndjson&limit=2", {}, "routed"),
    ("GET", "/v1/quotes?format=csv", {}, "stream"),
    ("GET", "/v1/quotes/no-such-quote", {}, "routed"),
    ("GET", "/v1/people?limit=0", {}, "routed"),
    ("DELETE", "/v1/quotes", {}, "routed"),
]


def request(
    base: str, method: str, path: str, headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes]:
    sent = urllib.request.Request(base + path, method=method, headers=headers)
    try:
        with urllib.request.urlopen(sent, timeout=10) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


def log_lines(service: Service) -> list[dict[str, Any]]:
    """The access-log lines of the server's output so far (its other lines have no request_id)."""
    lines = []
    for line in service.output().splitlines():
        if line.startswith("{") and '"request_id"' in line:
            entry = msgspec.json.decode(line)
            if "status" in entry:  # not an error line naming its request
                lines.append(entry)
    return lines


def test_every_request_has_one_json_log_line_with_what_happened(serve: ServiceFactory) -> None:
    began = datetime.datetime.now(datetime.UTC)
    with serve() as service:
        answers = []
        for index, (method, path, headers, _) in enumerate(EXCHANGES):
            request_id = f"log-test-{index}"
            answers.append(
                request(service.base, method, path, {**headers, "X-Request-Id": request_id})
            )
        service.stop()  # SIGTERM: the buffer is written out as the workers stop
        logged = log_lines(service)
    ids = [f"log-test-{index}" for index in range(len(EXCHANGES))]
    assert sorted(x["request_id"] for x in logged if x["request_id"] in ids) == sorted(ids)
    lines = {x["request_id"]: x for x in logged}
    for index, ((method, path, _, answered), (status, headers, body)) in enumerate(
        zip(EXCHANGES, answers, strict=True)
    ):
        line = lines[f"log-test-{index}"]
        path_only, _, query = path.partition("?")
        assert headers["x-request-id"] == f"log-test-{index}"
        assert (line["method"], line["path"], line["query"]) == (method, path_only, query)
        assert (line["status"], line["bytes"], line["answered"]) == (status, len(body), answered)
        assert line["client"] == "127.0.0.1"
        assert isinstance(line["duration_us"], int)
        assert 0 < line["duration_us"] < 10_000_000
        moment = datetime.datetime.fromisoformat(line["time"])
        assert began <= moment <= datetime.datetime.now(datetime.UTC)


def test_a_running_server_writes_a_line_within_its_batch_time(serve: ServiceFactory) -> None:
    """One request alone is logged at most ledger.SECONDS after it was answered, the server
    still up (not only when it stops)."""
    with serve() as service:
        request(service.base, "GET", "/v1/countries?limit=1", {"X-Request-Id": "alone-1"})
        answered = time.monotonic()
        while time.monotonic() - answered < 5:  # bounded: ledger.SECONDS is 0.5
            if any(line["request_id"] == "alone-1" for line in log_lines(service)):
                break
            time.sleep(0.05)
        waited = time.monotonic() - answered
        assert service.process.poll() is None
    assert any(line["request_id"] == "alone-1" for line in log_lines(service))
    assert waited < ledger.SECONDS + 1  # (sooner when a metrics write settles the batch)


def test_a_full_batch_is_counted_and_logged_at_once(tmp_path: Path) -> None:
    """BATCH answers are settled as the last is added, before any timer could run."""
    out = tmp_path / "access.log"
    metrics = Metrics("v", "r", None)
    with out.open("wb") as file:
        kept = ledger.Ledger(metrics, AccessLog(file.fileno(), enabled=True, plain=False))
        scope = {"method": "GET", "path": "/v1", "query_string": b"", "client": None}

        def logged() -> int:
            return len(out.read_bytes().splitlines())

        async def requests() -> list[int]:
            seen = []
            for _ in range(ledger.BATCH - 1):
                kept.add(answer(scope, 200, b"b"))
            seen.append(logged())  # held: fewer than BATCH, no time passed
            seen.append(sum(metrics.snapshot().requests.values()))  # a scrape settles them
            for _ in range(ledger.BATCH + 1):
                kept.add(answer(scope, 200, b"b"))
            seen.append(logged())  # the BATCH-th settled the batch; the one after is held
            return seen

        seen = asyncio.run(requests())
    batch = ledger.BATCH
    assert seen == [0, batch - 1, 2 * batch - 1]


def test_a_failure_is_logged_with_its_stack_trace_and_the_client_sees_neither(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: Any) -> Any:
        raise ZeroDivisionError("a bug deep down")

    record = logging.LogRecord("api", logging.ERROR, __file__, 1, "failed on %s", ("/x",), None)
    try:
        broken()
    except ZeroDivisionError:
        record.exc_info = sys.exc_info()
    entry = msgspec.json.decode(JsonFormatter().format(record))
    assert (entry["level"], entry["logger"], entry["message"]) == ("error", "api", "failed on /x")
    assert "ZeroDivisionError: a bug deep down" in entry["stack"]
    assert "request_id" not in entry  # logged while no request was routed
    token = REQUEST_ID.set("fails-0")
    try:
        assert msgspec.json.decode(JsonFormatter().format(record))["request_id"] == "fails-0"
        plain = PlainFormatter().format(record).splitlines()
        assert plain[0].endswith("failed on /x (request fails-0)")
        assert plain[-1] == "ZeroDivisionError: a bug deep down"
    finally:
        REQUEST_ID.reset(token)
    monkeypatch.setattr("api.web.store.Store.meta", broken)
    with TestClient(app=create_app(settings)) as client:
        response = client.get("/v1", headers={"X-Request-Id": "fails-1"})
    assert response.status_code == 500
    assert response.json()["request_id"] == "fails-1"
    assert "a bug" not in response.text
    assert "Traceback" not in response.text


def test_a_response_cut_after_it_began_is_logged_and_counted(
    serve: ServiceFactory, settings: Settings, tmp_path: Path
) -> None:
    """A stream that fails after its headers (here a range of a download whose file lost its
    second half while served) used to leave no access line and no count. Now the client's
    connection is cut, the request has its line and its count with the status and the bytes
    sent, the error is on stderr with the request's id and its stack, and the server serves on."""
    folder = tmp_path / "data"
    folder.mkdir()
    database = folder / settings.database.name
    shutil.copy(settings.database, database)
    shutil.copy(downloads.manifest_path(settings.database), downloads.manifest_path(database))
    manifest = downloads.read(settings.database)
    assert manifest is not None
    for file in manifest.files:
        shutil.copy(settings.database.parent / file.name, folder / file.name)
    dump = next(file for file in manifest.files if file.name.endswith(".ndjson"))
    with serve(ARTICLE_FACTS_DB=str(database)) as service:
        os.truncate(folder / dump.name, dump.size // 2)  # the same file: the server still has it
        connection = http.client.HTTPConnection("127.0.0.1", service.port, timeout=10)
        connection.request("GET", dump.href, headers={"Range": "bytes=0-", "X-Request-Id": "cut-1"})
        response = connection.getresponse()
        assert (response.status, response.getheader("content-length")) == (206, str(dump.size))
        with pytest.raises(http.client.IncompleteRead):
            response.read()
        connection.close()
        assert request(service.base, "GET", "/health", {})[0] == 200
        counted = total(scrape(service.base), "article_facts_requests_total", status="206")
        service.stop()
        lines = [line for line in log_lines(service) if line["request_id"] == "cut-1"]
        errors = [
            msgspec.json.decode(line)
            for line in service.output().splitlines()
            if line.startswith("{") and '"level":"error"' in line
        ]
    assert counted == 1
    assert [(x["status"], x["answered"]) for x in lines] == [(206, "stream")]
    assert 0 < lines[0]["bytes"] < dump.size
    # One line with the stack (the service's; granian adds a line of its own, without one).
    cut = [x for x in errors if x.get("request_id") == "cut-1" and "stack" in x]
    assert len(cut) == 1, errors
    assert "ended before byte" in cut[0]["stack"]


def test_a_chunked_stream_cut_after_it_began_ends_without_its_last_chunk(tmp_path: Path) -> None:
    """The edge re-raises what failed a stream after it began, so granian ends the connection
    without the last chunk: a client sees the body was cut, never a shorter one that looks
    whole (a CSV export has no Content-Length to betray it). The line has what was sent."""
    port = free_port()
    with (tmp_path / "server.log").open("wb") as output:
        argv = [sys.executable, "-m", "bench.serve", "tests.cut_stream:create", "--port", str(port)]
        server = subprocess.Popen(argv, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while probe(port, "/ready") != 200:
            assert server.poll() is None
            assert time.monotonic() < deadline
            time.sleep(0.1)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/export.csv", headers={"X-Request-Id": "chunked-1"})
        response = connection.getresponse()
        assert (response.status, response.getheader("transfer-encoding")) == (200, "chunked")
        with pytest.raises(http.client.IncompleteRead) as cut:
            response.read()
        assert cut.value.partial == cut_stream.PART
        connection.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)
    lines = [
        msgspec.json.decode(line)
        for line in (tmp_path / "server.log").read_bytes().splitlines()
        if b'"request_id":"chunked-1"' in line
    ]
    logged = [(x["status"], x["answered"], x["bytes"]) for x in lines if "status" in x]
    assert logged == [(200, "stream", len(cut_stream.PART))]


def test_the_log_level_and_format_are_settings(serve: ServiceFactory) -> None:
    with serve(ARTICLE_FACTS_LOG_FORMAT="plain") as plain:
        request(plain.base, "GET", "/v1/countries?limit=1", {"X-Request-Id": "plain-1"})
        plain.stop()
        line = next(x for x in plain.output().splitlines() if x.endswith(" plain-1"))
        assert not line.startswith("{")
    assert " 127.0.0.1 GET /v1/countries?limit=1 200 " in line
    with serve(ARTICLE_FACTS_LOG_LEVEL="warning") as quiet:
        request(quiet.base, "GET", "/v1/countries?limit=1", {"X-Request-Id": "quiet-1"})
        quiet.stop()
        assert "quiet-1" not in quiet.output()


def test_lines_of_a_batch_are_written_whole_in_writes_a_pipe_keeps_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Writes of at most PIPE_BUF bytes, each of whole lines: two workers on one pipe never
    interleave inside a line. A line's strings are JSON-escaped."""
    reading, writing = os.pipe()
    writes: list[int] = []
    real = os.write

    def counted(fd: int, data: Any) -> int:
        writes.append(len(data))
        return real(fd, data)

    monkeypatch.setattr("api.web.access.os.write", counted)
    log = AccessLog(writing, enabled=True, plain=False)
    scope = {"method": "GET", "path": '/v1/"x"', "query_string": b"q=%C3%A9", "client": None}
    log.write([answer(scope, 200 + index, b"i-%d" % index) for index in range(60)])  # ~12 KiB
    os.close(writing)
    data = b""
    while chunk := os.read(reading, 65536):
        data += chunk
    os.close(reading)
    lines = [msgspec.json.decode(line) for line in data.splitlines()]
    assert [line["status"] for line in lines] == [200 + i for i in range(60)]
    assert {(line["path"], line["query"], line["client"]) for line in lines} == {
        ('/v1/"x"', "q=%C3%A9", "")
    }
    assert len(writes) > 1
    assert max(writes) <= select.PIPE_BUF


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(settings)) as client:
        client.headers["accept-encoding"] = "identity"
        yield client


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/v1/quotes?limit=2", {}),  # the cache's answer
        ("/health", {}),
        ("/v1/quotes/no-such-quote", {}),
        ("/v1/quotes?limit=0", {}),
        ("/v1/quotes?format=csv", {}),
        ("/v1/quotes?limit=2", {"accept-encoding": "identity;q=0"}),
        ("/v1/quotes?limit=2", {"accept": "image/png"}),
    ],
)
def test_a_well_formed_request_id_is_echoed_on_every_response(
    client: TestClient[Any], path: str, headers: dict[str, str]
) -> None:
    for given in ("abc", "A.b_c:d-9", "x" * 128):
        response = client.get(path, headers={**headers, "x-request-id": given})
        assert response.headers["x-request-id"] == given
        if response.headers["content-type"] == "application/problem+json":
            assert response.json()["request_id"] == given
    head = client.head(path, headers={**headers, "x-request-id": "head-1"})
    assert head.headers["x-request-id"] == "head-1"


@pytest.mark.parametrize("given", ["", "x" * 129, "has space", "<script>", "é", "a\tb"])
def test_a_malformed_request_id_is_replaced_by_a_made_one(
    client: TestClient[Any], given: str
) -> None:
    ids = set()
    for path in ("/v1/quotes?limit=2", "/v1/quotes?limit=2", "/v1/quotes?limit=0"):
        response = client.get(path, headers={b"x-request-id": given.encode()})
        made = response.headers["x-request-id"]
        assert MADE.fullmatch(made), made
        ids.add(made)
    assert len(ids) == 3
    assert response.json()["request_id"] == made


def test_revalidation_preflight_and_other_methods_carry_the_id(client: TestClient[Any]) -> None:
    etag = client.get("/v1/quotes?limit=2").headers["etag"]
    answers = [
        client.get("/v1/quotes?limit=2", headers={"if-none-match": etag, "x-request-id": "r-1"}),
        client.options(
            "/v1/quotes",
            headers={
                "origin": "https://example.org",
                "access-control-request-method": "GET",
                "x-request-id": "r-2",
            },
        ),
        client.options("/v1/quotes?limit=2", headers={"x-request-id": "r-3"}),
        client.delete("/v1/quotes", headers={"x-request-id": "r-4"}),
    ]
    assert [a.status_code for a in answers] == [304, 204, 204, 405]
    assert [a.headers["x-request-id"] for a in answers] == ["r-1", "r-2", "r-3", "r-4"]
    assert "X-Request-Id" in answers[0].headers["access-control-expose-headers"]


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(base: str) -> Samples:
    """The samples of one scrape, by name and labels."""
    with urllib.request.urlopen(base + "/metrics", timeout=5) as response:
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
        text = response.read().decode()
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of the samples named ``name`` whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, got), v in samples.items() if n == name and wanted <= set(got))


def test_metrics_are_summed_over_two_workers(serve: ServiceFactory) -> None:
    with serve(workers=2) as service:
        made: set[str] = set()
        count = 0
        # A new connection each: the kernel spreads them over both workers (once the second is
        # listening too: /health may have been answered by the first alone). At least 120, and
        # until both answered (each makes ids with its own prefix), at most 1,000.
        while (count < 120 or len(made) < 2) and count < 1000:
            status, headers, _ = request(service.base, "GET", "/v1/countries?limit=2", {})
            assert status == 200
            made.add(headers["x-request-id"].split("-")[0])
            count += 1
        assert len(made) == 2, "both workers answered"
        # Scrapes right after requests, answered by either worker: no counter ever goes back
        # (a worker writes its own counts before summing the others' files).
        seen = 0.0
        for _ in range(20):
            for _ in range(3):
                request(service.base, "GET", "/v1/people?limit=1", {})
            now = total(scrape(service.base), "article_facts_requests_total", route="/v1/people")
            assert now >= seen
            seen = now
        time.sleep(1.5)  # each worker writes its snapshot within a second of a change
        for _ in range(4):  # whichever worker answers the scrape, the sum is the same
            samples = scrape(service.base)
            route = {"route": "/v1/countries"}
            assert total(samples, "article_facts_requests_total", **route, status="200") == count
            answered = {
                a: total(samples, "article_facts_requests_total", **route, answered=a)
                for a in ("fast", "cache")
            }
            assert answered["fast"] in (1, 2)
            assert sum(answered.values()) == count
            assert total(samples, "article_facts_workers") == 2
            assert total(samples, "article_facts_cache_entries") >= 2
            assert total(samples, "article_facts_cache_bytes") > 0
            assert total(samples, "article_facts_database_reads_total") >= 1
            assert total(samples, "article_facts_database_read_seconds_total") > 0
            inf = (
                "article_facts_request_duration_seconds_bucket",
                (("answered", "cache"), ("le", "+Inf")),
            )
            cached = total(samples, "article_facts_requests_total", answered="cache")
            assert samples[inf] == cached
        version = msgspec.json.decode(request(service.base, "GET", "/v1", {})[2])["version"]
        info = [k for k in samples if k[0] == "article_facts_dataset_info"]
        assert info
        assert ("version", version) in info[0][1]


def answer(scope: dict[str, Any], status: int, request_id: bytes) -> Answer:
    """The answer the edge keeps for a request of ``scope`` (api/web/ledger.py)."""
    return Answer(
        time.time(),
        scope["method"],
        scope["path"],
        scope["query_string"],
        scope.get("client"),
        status,
        status - 200,
        1_000,
        "routed",
        request_id,
        "unmatched",
    )


def written(plain: bool, scopes: list[dict[str, Any]]) -> list[bytes]:
    """The lines an AccessLog writes for ``scopes``, read back from a pipe."""
    reading, writing = os.pipe()
    log = AccessLog(writing, enabled=True, plain=plain)
    log.write([answer(scope, 404, b"odd") for scope in scopes])
    os.close(writing)
    with os.fdopen(reading, "rb") as pipe:
        return pipe.read().splitlines()


def test_a_long_odd_or_forged_path_is_one_bounded_line() -> None:
    long = {"method": "GET", "path": "/" + "a" * 5000, "query_string": b"q=" + b"b" * 5000}
    forged = {"method": "GET", "path": '/x\n{"forged":1}\r', "query_string": b""}
    surrogate = {"method": "GET", "path": "/\ud800", "query_string": b""}
    lines = written(False, [long, forged, surrogate])
    entries = [msgspec.json.decode(line) for line in lines]
    assert len(lines[0]) <= select.PIPE_BUF
    assert entries[0]["path"] == "/" + "a" * 511 + "…"
    assert entries[0]["query"] == "q=" + "b" * 510 + "…"
    assert entries[1]["path"] == forged["path"]
    assert entries[2]["path"] == "/\\ud800"
    plain = written(True, [forged, surrogate])
    assert len(plain) == 2
    assert b' /x\\x0a{"forged":1}\\x0d 404 ' in plain[0]


def test_every_route_is_one_label_however_it_was_answered(settings: Settings) -> None:
    """The fast path names a route as Litestar does: an item of quotes is /v1/quotes/{id},
    answered by the fast path, by the cache or by routing."""
    with TestClient(app=create_app(settings)) as client:
        record = client.get("/v1/quotes?limit=1").json()["data"][0]["id"]
        for path in (f"/v1/quotes/{record}", f"/v1/quotes/{record}", f"/v1/quotes/{record}?a=1"):
            client.get(path)
        text = client.get("/metrics").text
    labels = {
        (sample.labels["route"], sample.labels["answered"])
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "article_facts_requests_total"
        and sample.labels["route"].startswith("/v1/quotes/")
    }
    assert labels == {
        ("/v1/quotes/{id}", "fast"),
        ("/v1/quotes/{id}", "cache"),
        ("/v1/quotes/{id}", "routed"),
    }
