"""The fast path and the response cache answer exactly what routing answers.

Three apps over the same database: ``routed`` (no cache, no fast path: every request goes
through Litestar), ``fast`` (no cache, fast path on: it takes every request it can) and
``cached`` (the service as it runs: cache and fast path). For every request here, all three
give the same status, the same headers in the same order and the same body; ``cached`` is asked
twice, so both a miss and a hit are compared.
"""

import asyncio
import datetime
import logging
import re
import sqlite3
from collections.abc import Iterator
from typing import Any, Literal, get_args, get_origin
from urllib.parse import quote

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient
from litestar.types import Scope

from api.model.catalog import RESOURCES, SEARCH, SEARCHED, Resource
from api.model.parameters import SLUG, QueryParameter
from api.settings import Settings
from api.web import store
from api.web.app import create_app
from api.web.edge import Edge, Headers
from api.web.fast import FastPath
from api.web.store import Opened

Client = TestClient[Any]
EXAMPLES = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


class Counting:
    """Wraps the edge's shortcut and counts the requests it took and the ones it left."""

    def __init__(self, shortcut: Any) -> None:
        self.shortcut = shortcut
        self.taken = 0
        self.left = 0

    async def __call__(self, scope: Scope) -> tuple[str, Headers, bytes] | None:
        answer: tuple[str, Headers, bytes] | None = await self.shortcut(scope)
        if answer is None:
            self.left += 1
        else:
            self.taken += 1
        return answer


def app_with(settings: Settings, **changes: Any) -> Edge:
    app = create_app(msgspec.structs.replace(settings, **changes))
    assert isinstance(app, Edge)
    return app


@pytest.fixture(scope="module")
def routed(settings: Settings) -> Iterator[Client]:
    with TestClient(app=app_with(settings, cache_bytes=0, fast_path=False)) as client:
        yield client


@pytest.fixture(scope="module")
def counting(settings: Settings) -> Iterator[tuple[Client, Counting]]:
    app = app_with(settings, cache_bytes=0)
    counter = Counting(app.shortcut)
    app.shortcut = counter
    with TestClient(app=app) as client:
        yield client, counter


@pytest.fixture(scope="module")
def cached(settings: Settings) -> Iterator[Client]:
    with TestClient(app=app_with(settings)) as client:
        yield client


#: One request id for all: the responses, problem documents included, are then equal.
SAME = {"x-request-id": "same-request"}


def assert_same(got: Any, expected: Any, url: str) -> None:
    """The same status, the same headers in the same order, and the same body."""
    assert got.status_code == expected.status_code, url
    assert got.headers.raw == expected.headers.raw, url
    assert got.content == expected.content, url


@pytest.fixture
def same(routed: Client, counting: tuple[Client, Counting], cached: Client) -> Any:
    """``same(url, ...)``: the routed response, after checking the others equal it."""
    fast, _ = counting

    def check(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> Any:
        headers = {**SAME, **(headers or {})}
        expected = routed.request(method, url, headers=headers)
        for client in (fast, cached, cached):
            assert_same(client.request(method, url, headers=headers), expected, url)
        return expected

    return check


@pytest.fixture(scope="module")
def database(settings: Settings) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{settings.database}?mode=ro", uri=True)
    yield connection
    connection.close()


def test_every_list_and_every_record_is_the_same(
    same: Any, counting: tuple[Client, Counting]
) -> None:
    _, counter = counting
    before = counter.taken
    requests = 0
    for resource in RESOURCES:
        listed = same(f"/v1/{resource.name}?limit=500").json()["data"]
        assert listed
        same(f"/v1/{resource.name}")
        requests += 2
        for record in listed:
            assert same(record["href"]).status_code == 200
            requests += 1
    assert counter.taken - before == requests


def test_every_stored_id_is_one_the_item_route_accepts(database: sqlite3.Connection) -> None:
    """The fast path answers an item whenever its record is found, with no check of the id of
    its own: that is sound only while the build stores no id the route would refuse."""
    slug, longest = re.compile(str(SLUG.pattern)), int(SLUG.max_length or 0)
    for resource in RESOURCES:
        ids = [row[0] for row in database.execute(f"select id from {resource.name}")]  # noqa: S608
        assert ids
        assert all(len(record_id) <= longest and slug.match(record_id) for record_id in ids)


def every_page(same: Any, url: str | None) -> list[Any]:
    """The data of each page from ``url`` on, following ``links.next``; each page the same."""
    pages = []
    while url is not None:
        response = same(url)
        assert response.status_code == 200
        pages.append(response.json()["data"])
        url = response.json()["links"]["next"]
    return pages


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
def test_every_page_of_every_sort_is_the_same(
    same: Any, counting: tuple[Client, Counting], resource: Any
) -> None:
    _, counter = counting
    before, pages = counter.taken, 0
    for sort in resource.sort_choices:
        url = f"/v1/{resource.name}?sort={sort}&limit={1 if 'id' in sort else 3}"
        pages += len(every_page(same, url))
    assert counter.taken - before == pages


def filter_values(database: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(resource, parameter, value) for every value each link filter has in the data."""
    rows = database.execute("select distinct resource, rel, target from links order by 1, 2, 3")
    return [(resource, rel, target) for resource, rel, target in rows]


def test_every_filter_value_in_the_data_gives_the_same_list(
    same: Any, counting: tuple[Client, Counting], database: sqlite3.Connection
) -> None:
    _, counter = counting
    before, requests = counter.taken, 0
    for resource, rel, target in filter_values(database):
        response = same(f"/v1/{resource}?{rel}={quote(target)}&limit=2")
        assert response.status_code == 200
        assert response.json()["data"]
        requests += 1
        nothing = same(f"/v1/{resource}?{rel}=no-such-{rel}&sort=-id")
        assert nothing.status_code in (200, 400)
    assert counter.taken - before >= requests


@pytest.mark.parametrize(
    "url",
    [
        "/v1/meetings?date_from=2015-09-16&date_to=2015-09-16",
        "/v1/meetings?date_from=2015-01-01",
        "/v1/meetings?date_to=2015-06-30&sort=-start&limit=1",
        "/v1/meetings?kind=summit&date_from=2015-01-01&organisation=csto",
        "/v1/meetings?participant=uzbekistan&sort=name",
        "/v1/statistics?value_min=20000",
        "/v1/statistics?value_max=100&sort=-value",
        "/v1/statistics?value_min=1.5&value_max=3000.25",
        "/v1/statistics?value_min=-3&unit=people&limit=2",
        "/v1/statistics?qualifier=approximately&sort=unit",
    ],
)
def test_meeting_windows_and_statistic_ranges_are_the_same(same: Any, url: str) -> None:
    assert same(url).status_code == 200


ODD = [
    "/v1/quotes?limit=0",
    "/v1/quotes?limit=501",
    "/v1/quotes?limit=05",
    "/v1/quotes?limit=abc",
    "/v1/quotes?limit=",
    "/v1/quotes?limit",
    "/v1/quotes?limit=5&limit=6",
    "/v1/quotes?limit=1&",
    "/v1/quotes?&limit=1",
    "/v1/quotes?",
    "/v1/quotes?limit=1;sort=id",
    "/v1/quotes?sort=nope",
    "/v1/quotes?sort=-speaker&limit=1",
    "/v1/quotes?cursor=garbage",
    "/v1/quotes?cursor=WyJpZCIsMSwiYSJd",
    "/v1/quotes?sort=-id&cursor=WyJpZCIsImEiLCJhIl0",
    "/v1/quotes?cursor=" + "A" * 600,
    "/v1/quotes?unknown=1",
    "/v1/quotes?q=terror",
    "/v1/quotes?speaker=Vladimir-Putin",
    "/v1/quotes?speaker=vladimir%2Dputin",
    "/v1/quotes?speaker=vladimir+putin",
    "/v1/quotes?speaker=" + "a" * 81,
    "/v1/quotes?speaker=a--b",
    "/v1/meetings?date_from=2015-09-16&date_to=2015-09-01",
    "/v1/meetings?date_from=2015-13-01",
    "/v1/meetings?date_from=20150901",
    "/v1/meetings?kind=summit&kind=conversation",
    "/v1/meetings?kind=picnic",
    "/v1/statistics?value_min=abc",
    "/v1/statistics?value_min=1e3",
    "/v1/statistics?value_min=1e16",
    "/v1/statistics?value_min=nan",
    "/v1/statistics?value_min=10&value_max=1",
    "/v1/countries?iso2=RU",
    "/v1/countries?iso2=ru",
    "/v1/quotes/",
    "/v1/quotes/No-Such",
    "/v1/quotes/no-such-quote",
    "/v1/quotes/" + "a" * 81,
    "/v1/quotes/a--b",
    "/v1/quotes/x?limit=1",
    "/v1/quotes/x/y",
    "/v1/articles/russia-taps-sco-and-csto-to-counter-islamic-state/text",
    "/v1/nothing",
    "/v1",
    "/health",
    "/v1/search?q=terror",
]


@pytest.mark.parametrize("url", ODD)
def test_requests_the_fast_path_leaves_to_routing_are_the_same(same: Any, url: str) -> None:
    same(url)


@pytest.mark.parametrize(
    "url", ["/v1/quotes", "/v1/meetings?kind=summit", "/v1/people/vladimir-putin"]
)
def test_head_and_revalidation_are_the_same(same: Any, routed: Client, url: str) -> None:
    same(url, method="HEAD")
    etag = routed.get(url).headers["etag"]
    assert same(url, headers={"If-None-Match": etag}).status_code == 304
    assert same(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_the_fast_path_takes_plain_requests_and_leaves_the_rest(
    counting: tuple[Client, Counting],
) -> None:
    fast, counter = counting
    taken, left = counter.taken, counter.left
    fast.get("/v1/quotes?limit=2&sort=-date")
    fast.get("/v1/quotes/no-such-quote")
    fast.get("/v1/quotes?q=terror")
    fast.get("/v1/search?q=terror&type=quote&limit=1")
    fast.get("/v1/search?q=terror+state")
    fast.get("/v1/search?type=quote")
    assert (counter.taken - taken, counter.left - left) == (3, 3)


#: Values any parameter may be given beside its own: empty, null, not plain, not an integer.
ODD_VALUES = ["", "null", "é", "%41", "x y", "1e2", "2.0", "05", "-1", "0", "other"]
DATES = ["2015-09-16", "2015-01-01", "2016-02-30", "20150901", "2015-13-01"]
NUMBERS = ["1", "2", "50", "500", "501", "1.5", "20000", "1e3", "1e16", "nan", "-3"]
WORDS = ["terror", "sco", "putin", "russia", "zzz", "_", "-", "t"]
CURSORS = ["WyJpZCIsImEiLCJhIl0", "WyJyYW5rIiwtMS4wLCI1Il0", "garbage"]


def own_values(parameter: QueryParameter, targets: list[str]) -> list[str]:
    """Values of this parameter's own kind: its choices, numbers, dates, ids from the data."""
    kind = parameter.annotation
    if get_origin(kind) is Literal:
        return [str(choice) for choice in get_args(kind)]
    if kind in (int, float):
        return NUMBERS
    if kind is datetime.date:
        return DATES
    if parameter.name == "cursor":
        return CURSORS
    if parameter.name == "q":
        return WORDS
    return [*targets, f"no-such-{parameter.name}"]


def queries(
    parameters: tuple[QueryParameter, ...], targets: dict[str, list[str]]
) -> st.SearchStrategy[str]:
    """Query strings of up to four pairs over every parameter of an operation (and one it does
    not take), each value of the parameter's own kind or an odd one."""
    pair = st.sampled_from([*parameters, None]).flatmap(
        lambda p: st.tuples(
            st.just("other" if p is None else p.name),
            st.sampled_from(ODD_VALUES + ([] if p is None else own_values(p, targets[p.name]))),
        )
    )
    return st.lists(pair, max_size=4).map(lambda pairs: "&".join(f"{n}={v}" for n, v in pairs))


@pytest.fixture(scope="module")
def targets(database: sqlite3.Connection) -> dict[str, dict[str, list[str]]]:
    """Every value of every link filter in the data, by resource and parameter."""
    found: dict[str, dict[str, list[str]]] = {
        r.name: {p.name: [] for p in r.parameters} for r in RESOURCES
    }
    for resource, rel, target in filter_values(database):
        found[resource][rel].append(target)
    return found


@EXAMPLES
@given(data=st.data(), resource=st.sampled_from(RESOURCES))
def test_any_query_gives_the_same_answer(
    same: Any, targets: dict[str, dict[str, list[str]]], data: st.DataObject, resource: Resource
) -> None:
    query = data.draw(queries(resource.parameters, targets[resource.name]))
    same(f"/v1/{resource.name}?{query}" if query else f"/v1/{resource.name}")


@EXAMPLES
@given(data=st.data())
def test_any_search_gives_the_same_answer(same: Any, data: st.DataObject) -> None:
    type_values = {"type": [*SEARCHED, "country"]}
    query = data.draw(queries(SEARCH, {p.name: type_values.get(p.name, []) for p in SEARCH}))
    same(f"/v1/search?{query}")


@pytest.mark.parametrize("query", ["q=sco", "q=russia&type=organisation", "q=t&limit=2"])
def test_every_page_of_a_search_is_the_same(
    same: Any, counting: tuple[Client, Counting], query: str
) -> None:
    _, counter = counting
    before = counter.taken
    url = f"/v1/search?{query}&limit=1" if "limit" not in query else f"/v1/search?{query}"
    pages = every_page(same, url)
    assert len(pages) > 1
    assert all(pages)
    assert counter.taken - before == len(pages)


def test_reads_off_the_event_loop_give_the_same_answers(
    settings: Settings, routed: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large scans go through aiosqlite's thread; forced to, every read gives the same bytes."""
    monkeypatch.setattr(store, "SMALL_SCAN", -1)
    monkeypatch.setattr(store, "SMALL_SEARCH", -1)
    monkeypatch.setattr(store, "REMEMBERED_TOTALS", 2)
    urls = [
        "/v1/meetings?kind=summit",
        "/v1/quotes?speaker=vladimir-putin&limit=1",
        "/v1/statistics?value_min=100&sort=-value",
        "/v1/search?q=terror",
        "/v1/search?q=sco&type=organisation&limit=1",
        "/v1",
    ]
    with TestClient(app=app_with(settings, cache_bytes=0)) as threaded:
        for url in urls * 2:
            expected, got = routed.get(url, headers=SAME), threaded.get(url, headers=SAME)
            assert_same(got, expected, url)


def test_the_fast_path_takes_the_parameters_the_document_gives_each_operation(
    document: dict[str, Any],
) -> None:
    fast = FastPath(Opened())
    for path, listing in fast._lists.items():
        documented = document["paths"][path]["get"]["parameters"]
        query = {
            p["name"]: p for p in documented if p["in"] == "query" and p["name"] != "If-None-Match"
        }
        assert list(listing.described) == list(query), path
        assert listing.query.__struct_fields__ == tuple(query), path
        required = {name for name, p in query.items() if p.get("required")}
        assert required == {name for name, p in listing.described.items() if p.required}, path


def test_the_fast_path_leaves_a_mounted_app_alone_and_lets_unexpected_errors_through() -> None:
    fast = FastPath(Opened())  # never opened: reading it is an error, not a routed answer
    scope: Any = {
        "type": "http",
        "path": "/v1/quotes",
        "root_path": "/api",
        "query_string": b"",
        "headers": [],
    }
    assert asyncio.run(fast(scope)) is None
    with pytest.raises(RuntimeError, match="not open"):
        asyncio.run(fast({**scope, "root_path": ""}))  # type: ignore[arg-type]


def test_a_small_cache_evicts_and_still_answers_the_same(
    settings: Settings, routed: Client
) -> None:
    app = app_with(settings, cache_bytes=32 * 1024)
    records = [
        record["href"]
        for r in RESOURCES
        for record in routed.get(f"/v1/{r.name}?limit=500").json()["data"]
    ]
    with TestClient(app=app) as small:
        for url in records * 2:
            expected, got = routed.get(url, headers=SAME), small.get(url, headers=SAME)
            assert_same(got, expected, url)
    assert 0 < len(app._entries) < len(records)
    assert app._bytes <= 32 * 1024


@pytest.mark.parametrize("resource", [r for r in RESOURCES if r.links], ids=lambda r: r.name)
def test_a_broad_filter_paged_by_probing_equals_it_gathered(
    routed: Client, database: sqlite3.Connection, resource: Any
) -> None:
    """A page of a broad filter is read in sort order, probing each row (``Condition.probe``);
    a page of 500 gathers every match first. Both give the same records in the same order."""
    rel, target, count = database.execute(
        "select rel, target, count(*) from links where resource = ?"
        " group by rel, target order by count(*) desc, rel, target limit 1",
        (resource.name,),
    ).fetchone()
    url = f"/v1/{resource.name}?{rel}={quote(target)}&sort=-id"
    gathered = [r["id"] for r in routed.get(f"{url}&limit=500").json()["data"]]
    probed: list[str] = []
    page: str | None = f"{url}&limit=1"
    while page is not None:
        body = routed.get(page).json()
        probed += [r["id"] for r in body["data"]]
        page = body["links"]["next"]
    assert probed == gathered
    assert len(gathered) == count


ARTICLE_TEXT = "/v1/articles/russia-taps-sco-and-csto-to-counter-islamic-state/text"


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/v1/quotes?limit=1e2", "limit"),
        ("/v1/quotes?limit=2.0", "limit"),
        ("/v1/search?q=sco&limit=1e1", "limit"),
        (f"{ARTICLE_TEXT}?start=1e1", "start"),
        (f"{ARTICLE_TEXT}?end=10.0", "end"),
        ("/v1/quotes?q=%FF", "q"),
        ("/v1/search?q=%C3%28", "q"),
        ("/v1/search?q=sco&type=%E2%82", "type"),
        ("/v1/people?country=%FF", "country"),
        ("/v1/search", "q"),
    ],
)
def test_integers_are_integers_text_is_utf8_and_required_is_required_on_both_paths(
    same: Any, url: str, parameter: str
) -> None:
    response = same(url)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["parameter"] for error in response.json()["errors"]] == [parameter]


def test_an_unexpected_failure_of_the_fast_path_is_a_logged_500_problem(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Not a silent retry through routing: the failure is the response's, and it is logged."""

    async def broken(*_: Any) -> Any:
        raise ZeroDivisionError("a bug")

    # Litestar's logging configuration keeps "api" records from the root logger caplog reads.
    monkeypatch.setattr(logging.getLogger("api"), "handlers", [caplog.handler])
    with TestClient(app=app_with(settings, cache_bytes=0)) as client:
        monkeypatch.setattr(store.Store, "page", broken)
        response = client.get("/v1/quotes?limit=2")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "a bug" not in response.text
    assert any("fast path" in r.getMessage() and r.exc_info for r in caplog.records)
