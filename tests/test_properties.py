"""Laws the service keeps for any request, checked with Hypothesis against the in-process app.

- Paging any collection with any limit, sort and filter yields every matching record exactly
  once, in the requested order.
- Each filter equals filtering the full collection in Python, with the catalog's own definition.
- Every evidence span equals GET /v1/articles/{id}/text?start=&end=.
- Every href in any response resolves to a 200.
- A request repeated with its ETag in If-None-Match is a 304; HEAD is GET without the body.
"""

import math
import re
import unicodedata
from collections.abc import Iterator
from typing import Any, get_args

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from api.model.catalog import RESOURCES, Corpus, Resource
from tests.conftest import spans

RUN = "hypothesis properties"
LAWS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TOKEN = re.compile(r"[^\W_]+")
ASCII_WORD = re.compile(r"[a-z0-9]+")
Params = dict[str, str]


class Http:
    """The in-process client, counting the requests the laws send."""

    def __init__(self, client: TestClient[Any], tally: dict[str, int]) -> None:
        self.client = client
        self.tally = tally

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        self.tally[RUN] = self.tally.get(RUN, 0) + 1
        return self.client.request(method, url, **kwargs)

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.request("GET", url, **kwargs)

    def json(self, url: str, **kwargs: Any) -> Any:
        response = self.get(url, **kwargs)
        assert response.status_code == 200, (url, kwargs, response.text)
        return response.json()


class World:
    """Every record of every collection, as the models the service serves, and their texts.

    A plain class with a short repr: Hypothesis prints the arguments of a failing example.
    """

    def __init__(
        self, corpus: Corpus, texts: dict[str, str], raw: dict[str, dict[str, Any]]
    ) -> None:
        self.corpus = corpus
        self.texts = texts
        self.raw = raw

    def __repr__(self) -> str:
        return f"World({len(self.raw)} records)"

    def records(self, resource: Resource) -> list[Any]:
        return list(self.corpus.records[resource.name])


@pytest.fixture(scope="module")
def http(client: TestClient[Any], generated_requests: dict[str, int]) -> Http:
    return Http(client, generated_requests)


@pytest.fixture(scope="module")
def world(http: Http) -> World:
    records: dict[str, list[Any]] = {}
    raw: dict[str, dict[str, Any]] = {}
    for resource in RESOURCES:
        page = http.json(f"/v1/{resource.name}", params={"limit": 500})
        assert page["meta"]["next_cursor"] is None
        records[resource.name] = [msgspec.convert(r, resource.model) for r in page["data"]]
        raw |= {record["href"]: record for record in page["data"]}
    texts = {article.id: http.get(article.text_href).text for article in records["articles"]}
    return World(Corpus(records), texts, raw)


# ---------------------------------------------------------------------------------------------
# The catalog's definitions, evaluated in Python over the full collections.
# ---------------------------------------------------------------------------------------------


def searchable(world: World, resource: Resource, record: Any) -> str:
    """What full-text search indexes for a record (an article: its whole text)."""
    assert resource.search_text is not None
    return resource.search_text(record, world.texts)


def tokens(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.lower())
    return TOKEN.findall("".join(c for c in folded if not unicodedata.combining(c)))


def matches(world: World, resource: Resource, record: Any, params: Params) -> bool:
    for name, link in resource.links.items():
        if name in params and params[name] not in set(link.values(record, world.corpus)):
            return False
    for span in resource.ranges:
        low, high = span.low(record), span.high(record)
        start, end = params.get(span.low_param), params.get(span.high_param)
        if isinstance(low, str) and isinstance(high, str):  # days, YYYY-MM-DD
            if (start is not None and high < start) or (end is not None and low > end):
                return False
        elif (start is not None and float(high) < float(start)) or (
            end is not None and float(low) > float(end)
        ):
            return False
    if "q" in params:
        words, found = tokens(params["q"]), tokens(searchable(world, resource, record))
        *whole, prefix = words
        if not set(whole) <= set(found) or not any(t.startswith(prefix) for t in found):
            return False
    return True


def expected(world: World, resource: Resource, params: Params) -> list[str]:
    """The ids a list request must yield, in order: sorted by the key, ties broken by id."""
    sort = params.get("sort", "id")
    key = sort.lstrip("-")
    found = sorted(
        (r for r in world.records(resource) if matches(world, resource, r, params)),
        key=lambda r: r.id,
        reverse=sort == "-id",
    )
    if key != "id":
        found.sort(key=resource.sorts[key], reverse=sort.startswith("-"))
    return [record.id for record in found]


# ---------------------------------------------------------------------------------------------
# Strategies: list requests over the real data (and a little beside it).
# ---------------------------------------------------------------------------------------------


def link_values(world: World, resource: Resource, name: str) -> list[str]:
    """The values records have, and valid values none has (when the parameter admits one)."""
    link = resource.links[name]
    found = {value for r in world.records(resource) for value in link.values(r, world.corpus)}
    pattern = re.compile(link.constraints.pattern or ".*")
    choices = get_args(link.annotation) or ("nothing", "ZZ")
    absent = [value for value in choices if value not in found and pattern.fullmatch(value)]
    return sorted(found) + absent[:1]


def range_values(world: World, resource: Resource) -> dict[str, list[str]]:
    """The ends of every record's range, in order, as query-string values."""
    values: dict[str, list[str]] = {}
    for span in resource.ranges:
        ends = sorted({f(r) for r in world.records(resource) for f in (span.low, span.high)})
        # An undated record spans nothing (its ends are "" and 9999-12-31), an unbounded number
        # reaches infinity: neither end is a query value.
        valid = [end for end in ends if end != "" and end not in (math.inf, -math.inf)]
        values[span.low_param] = values[span.high_param] = [str(end) for end in valid]
    return values


def vocabulary(world: World, resource: Resource) -> list[str]:
    found = {
        token
        for record in world.records(resource)
        for token in tokens(searchable(world, resource, record))
        if ASCII_WORD.fullmatch(token)
    }
    return sorted(found)


@st.composite
def list_requests(draw: st.DrawFn, world: World) -> tuple[Resource, Params]:
    resource = draw(st.sampled_from(RESOURCES))
    params: Params = {"sort": draw(st.sampled_from(resource.sort_choices))}
    names = st.lists(st.sampled_from(sorted(resource.links)), max_size=2, unique=True)
    for name in draw(names) if resource.links else []:
        params[name] = draw(st.sampled_from(link_values(world, resource, name)))
    ranges = range_values(world, resource)
    for span in resource.ranges:
        ends = ranges[span.low_param]
        at = draw(st.integers(0, len(ends) - 1))
        low, high = ends[at], draw(st.sampled_from(ends[at:])) if draw(st.booleans()) else None
        for name, value in ((span.low_param, low), (span.high_param, high)):
            if value is not None and draw(st.booleans()):
                params[name] = value
    words = [] if resource.search_text is None else vocabulary(world, resource)
    if words and draw(st.integers(0, 3)) == 0:
        chosen = draw(st.lists(st.sampled_from(words), min_size=1, max_size=2))
        cut = draw(st.integers(1, len(chosen[-1])))
        params["q"] = " ".join([*chosen[:-1], chosen[-1][:cut]])
    return resource, params


LIMITS = st.integers(1, 6) | st.integers(1, 500)


def pages(http: Http, resource: Resource, params: Params, limit: int) -> Iterator[dict[str, Any]]:
    """Follow links.next (and the Link header, which must agree) to the last page."""
    url: str | None = f"/v1/{resource.name}"
    query: Params | None = {**params, "limit": str(limit)}
    while url is not None:
        response = http.get(url, params=query)
        assert response.status_code == 200, (url, query, response.text)
        body = response.json()
        yield body
        url, query = body["links"]["next"], None
        header = response.headers.get("link")
        assert header == (None if url is None else f'<{url}>; rel="next"')


# ---------------------------------------------------------------------------------------------
# The laws.
# ---------------------------------------------------------------------------------------------


@LAWS
@given(data=st.data(), limit=LIMITS)
def test_paging_yields_every_matching_record_once_in_order(
    http: Http, world: World, data: st.DataObject, limit: int
) -> None:
    resource, params = data.draw(list_requests(world))
    want = expected(world, resource, params)
    seen: list[str] = []
    for body in pages(http, resource, params, limit):
        assert body["meta"]["total"] == len(want)
        assert body["meta"]["limit"] == limit
        assert len(body["data"]) <= limit
        seen += [record["id"] for record in body["data"]]
    assert seen == want


@LAWS
@given(data=st.data())
def test_each_filter_equals_filtering_the_full_collection(
    http: Http, world: World, data: st.DataObject
) -> None:
    resource, params = data.draw(list_requests(world))
    body = http.json(f"/v1/{resource.name}", params={**params, "limit": "500"})
    assert {record["id"] for record in body["data"]} == set(expected(world, resource, params))
    assert body["meta"]["total"] == len(body["data"])
    for record in body["data"]:
        assert record == world.raw[record["href"]]


def test_every_evidence_span_equals_the_text_at_its_offsets(http: Http, world: World) -> None:
    checked = 0
    for record in world.raw.values():
        for span in spans(record):
            url = f"/v1/articles/{span['article']}/text"
            response = http.get(url, params={"start": span["start"], "end": span["end"]})
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/plain")
            assert response.text == span["exact"]
            checked += 1
    assert checked >= 100


@LAWS
@given(data=st.data())
def test_any_span_of_a_text_is_that_slice(http: Http, world: World, data: st.DataObject) -> None:
    article, text = data.draw(st.sampled_from(sorted(world.texts.items())))
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    response = http.get(f"/v1/articles/{article}/text", params={"start": start, "end": end})
    assert response.status_code == 200
    assert response.text == text[start:end]


def hrefs(value: Any) -> Iterator[str]:
    """Every link a JSON body carries: href and *_href fields, links, index collections."""
    if isinstance(value, dict):
        for key, item in value.items():
            linked = key == "href" or key.endswith("_href") or key in ("self", "next")
            if linked and isinstance(item, str):
                yield item
            elif key in ("collections",) and isinstance(item, dict):
                yield from (str(target) for target in item.values())
            else:
                yield from hrefs(item)
    elif isinstance(value, list):
        for item in value:
            yield from hrefs(item)


def links_of(response: Any) -> set[str]:
    found = set(hrefs(response.json())) if "json" in response.headers["content-type"] else set()
    header = response.headers.get("link")
    if header is not None:
        found.add(header[header.index("<") + 1 : header.index(">")])
    return found


def test_every_href_reachable_from_the_index_resolves(http: Http) -> None:
    """Crawl from /v1 and /v1/schemas over every link of every answer, to closure."""
    seen: set[str] = set()
    todo = ["/v1", "/v1/schemas"]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = http.get(url)
        assert response.status_code == 200, url
        if url == "/v1/schemas":
            todo += list(response.json().values())
        elif not url.startswith("/v1/schemas/"):
            todo += sorted(links_of(response) - seen)
    assert len(seen) > sum(len(resource.name) > 0 for resource in RESOURCES) * 5


@LAWS
@given(data=st.data(), limit=LIMITS)
def test_every_href_in_any_list_or_search_answer_resolves(
    http: Http, world: World, data: st.DataObject, limit: int
) -> None:
    resource, params = data.draw(list_requests(world))
    if "q" in params and data.draw(st.booleans()):
        url, query = "/v1/search", {"q": params["q"], "limit": str(limit)}
    else:
        url, query = f"/v1/{resource.name}", {**params, "limit": str(limit)}
    response = http.get(url, params=query)
    assert response.status_code == 200
    for href in links_of(response):
        assert http.get(href).status_code == 200, href


def any_request(world: World) -> st.SearchStrategy[tuple[str, Params]]:
    """A GET of any kind: index, records, lists, text spans, search, schemas, and wrong ones."""
    fixed = st.sampled_from(["/v1", "/health", "/v1/schemas", "/schema/openapi.json", "/nowhere"])
    records: st.SearchStrategy[tuple[str, Params]] = st.sampled_from(sorted(world.raw)).map(
        lambda href: (href, {})
    )
    lists = list_requests(world).map(lambda pair: (f"/v1/{pair[0].name}", pair[1]))
    texts = st.sampled_from(sorted(world.texts)).flatmap(
        lambda article: st.tuples(
            st.just(f"/v1/articles/{article}/text"),
            st.fixed_dictionaries({"start": st.integers(0, 20).map(str)}),
        )
    )
    wrong = st.sampled_from(
        [("/v1/people/no-such-person", {}), ("/v1/people", {"limit": "0"}), ("/v1/search", {})]
    )
    searches = st.sampled_from(["russia", "csto summit", "terror"]).map(
        lambda q: ("/v1/search", {"q": q})
    )
    return st.one_of(fixed.map(lambda url: (url, {})), records, lists, texts, wrong, searches)


@LAWS
@given(data=st.data())
def test_revalidating_with_the_etag_is_a_304_and_head_is_get_without_a_body(
    http: Http, world: World, data: st.DataObject
) -> None:
    url, params = data.draw(any_request(world))
    same_id = {"X-Request-Id": "head-is-get"}
    got = http.get(url, params=params, headers=same_id)
    head = http.request("HEAD", url, params=params, headers=same_id)
    assert head.status_code == got.status_code
    assert head.content == b""
    assert dict(head.headers) == dict(got.headers)
    if got.status_code != 200 or url == "/health":
        assert "etag" not in got.headers
        assert got.headers["cache-control"] == "no-store"
        return
    etag = got.headers["etag"]
    again = http.get(url, params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert http.get(url, params=params, headers={"If-None-Match": '"other"'}).status_code == 200
