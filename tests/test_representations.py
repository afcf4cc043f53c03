"""CSV, NDJSON and JSON-LD agree record for record with the JSON pages; negotiation, sparse
fields and facets, against the real database through the real application."""

import csv
import io
import json
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import msgspec
import pandas
import pytest
from litestar.testing import TestClient
from pyld import jsonld

from api.model.catalog import RESOURCES, Resource
from api.settings import Settings
from api.web.app import create_app
from api.web.edge import Edge
from api.web.representation import MEDIA
from api.web.resources import collection

NAMES = [resource.name for resource in RESOURCES]
Client = TestClient[Any]


def json_pages(client: Client, path: str, query: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Every record of a list, following its cursors."""
    found: list[dict[str, Any]] = []
    # Pages of 7, whatever the link asked for (httpx's params would replace its query).
    own, _, given = path.partition("?")
    pairs = [(k, v) for k, v in parse_qsl(given) if k != "limit"]
    body = client.get(f"{own}?{urlencode([*pairs, *query, ('limit', '7')])}").json()
    found += body["data"]
    while body["links"]["next"] is not None:
        body = client.get(body["links"]["next"]).json()
        found += body["data"]
    return found


def flattened(value: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """A JSON record as CSV cells, as the documented flat form states it (written here from
    the JSON, not from the models): nested objects joined by _, lists as compact JSON."""
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            yield from flattened(item, f"{name}_")
        elif isinstance(item, list):
            yield name, json.dumps(item, ensure_ascii=False, separators=(",", ":"))
        elif isinstance(item, bool):
            yield name, str(item).lower()
        elif item is not None:  # null: an empty cell, or empty cells under an absent object
            yield name, str(item)


def assert_csv_agrees(text: str, records: list[dict[str, Any]]) -> None:
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [row["id"] for row in rows] == [record["id"] for record in records]
    for row, record in zip(rows, records, strict=True):
        cells = dict(flattened(record))
        assert cells.items() <= row.items()
        # A column the record has no value for (under an absent object) is empty.
        assert all(row[name] == "" for name in row.keys() - cells.keys())


QUERIES = {
    "plain": [],
    "sorted descending": [("sort", "-id")],
}


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
@pytest.mark.parametrize("name", NAMES)
def test_every_format_agrees_with_the_json_pages(
    client: Client, name: str, query: list[tuple[str, str]]
) -> None:
    path = f"/v1/{name}"
    records = json_pages(client, path, query)
    assert records
    ndjson = client.get(path, params=[*query, ("format", "ndjson")])
    assert ndjson.headers["content-type"] == "application/x-ndjson"
    assert [json.loads(line) for line in ndjson.text.splitlines()] == records
    streamed = client.get(path, params=[*query, ("format", "csv")])
    assert streamed.headers["content-type"] == "text/csv; charset=utf-8"
    assert "link" not in streamed.headers
    assert_csv_agrees(streamed.text, records)
    graph = client.get(path, params=[*query, ("format", "jsonld"), ("limit", "500")]).json()
    nodes = graph["@graph"]
    assert [node["@id"] for node in nodes] == [record["href"] for record in records]
    assert [{k: v for k, v in n.items() if k[0] != "@"} for n in nodes] == records


def test_a_filtered_stream_has_the_filtered_records(client: Client) -> None:
    resource = next(r for r in RESOURCES if r.links)
    records = json_pages(client, f"/v1/{resource.name}", [])
    name, value = _some_value(client, resource)
    query = [(name, value), ("sort", "-id")]
    expected = json_pages(client, f"/v1/{resource.name}", query)
    assert 0 < len(expected) < len(records) or len(records) == 1
    got = client.get(f"/v1/{resource.name}", params=[*query, ("format", "ndjson")]).text
    assert [json.loads(line) for line in got.splitlines()] == expected


def _some_value(client: Client, resource: Resource) -> tuple[str, str]:
    name = resource.facets[0]
    facet = client.get(f"/v1/{resource.name}", params={"facet": name}).json()["meta"]["facets"]
    return name, facet[name][0]["value"]


@pytest.mark.parametrize("form", ["csv", "ndjson"])
def test_with_a_limit_csv_and_ndjson_are_a_page_with_a_link(client: Client, form: str) -> None:
    first = client.get("/v1/quotes", params={"format": form, "limit": "2"})
    lines = first.text.splitlines()
    assert len(lines) == (3 if form == "csv" else 2)
    target = first.headers["link"].removeprefix("<").split(">;")[0]
    assert ("format", form) in parse_qsl(urlsplit(target).query)
    second = client.get(target)
    assert second.status_code == 200
    assert second.text.splitlines()[-1] not in lines


def test_a_stream_is_sent_in_parts_and_never_cached(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records are read and sent a keyset page at a time; the edge keeps none of them."""
    monkeypatch.setattr(collection, "EXPORT_PAGE", 2)
    app = create_app(settings)
    assert isinstance(app, Edge)
    with TestClient(app=app) as client:
        total = client.get("/v1/quotes").json()["meta"]["total"]
        parts: list[bytes] = []
        with client.stream("GET", "/v1/quotes?format=ndjson") as response:
            parts.extend(response.iter_bytes())
        assert len(b"".join(parts).splitlines()) == total
        assert "content-length" not in response.headers
        assert len(app._entries) == 1  # the JSON page above, not the stream
    assert total > 2


@pytest.mark.parametrize("form", ["json", "csv", "ndjson", "jsonld"])
def test_format_wins_over_accept(client: Client, form: str) -> None:
    response = client.get(
        "/v1/people", params={"format": form}, headers={"accept": "application/x-ndjson"}
    )
    expected = {"json": "application/json", "csv": "text/csv; charset=utf-8"}
    assert response.headers["content-type"] == expected.get(
        form, {"ndjson": "application/x-ndjson", "jsonld": "application/ld+json"}.get(form)
    )


ACCEPTED = {
    "text/csv": "text/csv; charset=utf-8",
    "application/x-ndjson": "application/x-ndjson",
    "application/ld+json": "application/ld+json",
    "application/json": "application/json",
    "*/*": "application/json",
    "text/html;q=0.9, text/csv": "text/csv; charset=utf-8",
    "application/ld+json;q=0.5, application/json": "application/json",
}


@pytest.mark.parametrize("accept", ACCEPTED)
@pytest.mark.parametrize("path", ["/v1/countries", "/v1/countries/russia"])
def test_accept_chooses_the_representation(client: Client, accept: str, path: str) -> None:
    response = client.get(path, headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == ACCEPTED[accept]
    assert response.headers["vary"] == "Accept, Accept-Encoding"


@pytest.mark.parametrize("path", ["/v1/countries", "/v1/countries/russia"])
def test_an_accept_nothing_satisfies_is_a_406_listing_what_can_be_sent(
    client: Client, path: str
) -> None:
    response = client.get(path, headers={"accept": "image/png"})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert all(
        media in response.json()["detail"] for media in ACCEPTED.values() if ";" not in media
    )


def test_etag_304_and_head_hold_per_representation(client: Client) -> None:
    tags = set()
    for accept in ("application/json", "text/csv", "application/x-ndjson", "application/ld+json"):
        for query in ("", "?limit=3"):
            headers = {"accept": accept}
            got = client.get(f"/v1/meetings{query}", headers=headers)
            etag = got.headers["etag"]
            tags.add(etag)
            assert client.get(f"/v1/meetings{query}", headers=headers).content == got.content
            again = client.get(f"/v1/meetings{query}", headers={**headers, "if-none-match": etag})
            assert again.status_code == 304
            assert again.content == b""
            head = client.head(f"/v1/meetings{query}", headers=headers)
            assert head.content == b""
            assert head.headers["etag"] == etag
            assert head.headers["content-type"] == got.headers["content-type"]
    assert len(tags) == 8


@pytest.mark.parametrize("name", NAMES)
def test_fields_keep_only_those_fields_and_the_id(client: Client, name: str) -> None:
    resource = next(r for r in RESOURCES if r.name == name)
    chosen = list(resource.model.__struct_fields__)[-2:]
    full = client.get(f"/v1/{name}", params={"limit": "500"}).json()["data"]
    sparse = client.get(f"/v1/{name}", params={"limit": "500", "fields": ",".join(chosen)})
    assert sparse.json()["data"] == [{k: r[k] for k in ("id", *chosen) if k in r} for r in full]
    item = client.get(full[0]["href"], params={"fields": chosen[0]}).json()
    assert item == {"id": full[0]["id"], chosen[0]: full[0][chosen[0]]}
    table = client.get(f"/v1/{name}", params={"format": "csv", "fields": chosen[0]}).text
    header = next(csv.reader(io.StringIO(table)))
    assert header[0] == "id"
    assert all(column == "id" or column.startswith(chosen[0]) for column in header)


@pytest.mark.parametrize("path", ["/v1/quotes", "/v1/quotes/gaynutdin-global-society-should-unite"])
def test_an_unknown_field_is_a_400_naming_fields(client: Client, path: str) -> None:
    response = client.get(path, params={"fields": "text,no_such_field"})
    assert response.status_code == 400
    assert [error["parameter"] for error in response.json()["errors"]] == ["fields"]


FACETED = [(r.name, name) for r in RESOURCES for name in r.facets]


@pytest.mark.parametrize(("name", "facet"), FACETED)
def test_facet_counts_are_what_their_hrefs_return(client: Client, name: str, facet: str) -> None:
    body = client.get(f"/v1/{name}", params={"facet": facet, "limit": "1"}).json()
    values = body["meta"]["facets"][facet]
    every = {r["id"] for r in json_pages(client, f"/v1/{name}", [])}
    counted: set[str] = set()
    for value in values:
        assert value["count"] >= 1
        records = json_pages(client, value["href"], [])
        assert len(records) == value["count"]
        counted |= {r["id"] for r in records}
    assert counted <= every
    assert sum(v["count"] for v in values) >= len(counted)
    assert [v["count"] for v in values] == sorted((v["count"] for v in values), reverse=True)


def test_facets_count_the_filtered_set_and_repeat(client: Client) -> None:
    quotes = client.get("/v1/quotes", params=[("facet", "speaker"), ("facet", "article")])
    facets = quotes.json()["meta"]["facets"]
    assert set(facets) == {"speaker", "article"}
    assert sum(v["count"] for v in facets["speaker"]) == quotes.json()["meta"]["total"]
    speaker = facets["speaker"][0]
    assert ("facet", "article") in parse_qsl(urlsplit(speaker["href"]).query)
    narrowed = client.get(speaker["href"]).json()
    assert narrowed["meta"]["total"] == speaker["count"]
    assert sum(v["count"] for v in narrowed["meta"]["facets"]["article"]) == speaker["count"]


def test_a_list_without_facet_has_no_facets(client: Client) -> None:
    assert "facets" not in client.get("/v1/quotes").json()["meta"]


@pytest.mark.parametrize("name", NAMES)
def test_json_ld_expands_with_the_published_context(client: Client, name: str) -> None:
    context = client.get("/v1/context.jsonld")
    assert context.headers["content-type"] == "application/ld+json"
    base = "http://127.0.0.1:8000"

    def loader(url: str, _: Any) -> dict[str, Any]:
        assert url == f"{base}/v1/context.jsonld"
        return {"contextUrl": None, "documentUrl": url, "document": context.json()}

    resource = next(r for r in RESOURCES if r.name == name)
    page = client.get(f"/v1/{name}", params={"format": "jsonld"}).json()
    expanded = jsonld.expand(page, {"base": f"{base}/v1/{name}", "documentLoader": loader})
    assert [node["@id"] for node in expanded] == [f"{base}{n['href']}" for n in page["@graph"]]
    assert all(node["@type"] == [f"https://schema.org/{resource.schema_type}"] for node in expanded)
    assert all("https://schema.org/identifier" in node for node in expanded)
    item = client.get(page["@graph"][0]["href"], headers={"accept": "application/ld+json"})
    (node,) = jsonld.expand(item.json(), {"base": f"{base}/", "documentLoader": loader})
    assert node["@id"] == expanded[0]["@id"]


def test_every_collection_is_faceted_by_its_filters(document: dict[str, Any]) -> None:
    """The document lists each collection's facetable names: its equality filters."""
    for resource in RESOURCES:
        operation = document["paths"][f"/v1/{resource.name}"]["get"]
        found = {p["name"]: p["schema"] for p in operation["parameters"]}
        if resource.links:
            assert found["facet"]["items"]["enum"] == list(resource.links)
        else:
            assert "facet" not in found


@pytest.mark.live
def test_pandas_reads_csv_and_ndjson_from_the_live_server(live_server: str) -> None:
    with urllib.request.urlopen(f"{live_server}/v1/quotes?limit=500") as response:
        records = msgspec.json.decode(response.read())["data"]
    table = pandas.read_csv(f"{live_server}/v1/quotes?format=csv")
    assert list(table["id"]) == [r["id"] for r in records]
    assert list(table["speaker_id"]) == [r["speaker"]["id"] for r in records]
    assert list(table["text"]) == [r["text"] for r in records]
    lines = pandas.read_json(f"{live_server}/v1/quotes?format=ndjson", lines=True)
    assert list(lines["id"]) == [r["id"] for r in records]
    assert len(lines.columns) == len(records[0])


@pytest.mark.parametrize("name", NAMES)
def test_the_document_describes_every_representation(document: dict[str, Any], name: str) -> None:
    for path in (f"/v1/{name}", f"/v1/{name}/{{id}}"):
        operation = document["paths"][path]["get"]
        content = operation["responses"]["200"]["content"]
        assert set(content) == {"application/json", *MEDIA.values()}
        assert "406" in operation["responses"]
        query = {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}
        assert query["format"]["enum"] == ["json", "csv", "ndjson", "jsonld"]
        assert "fields" in query


BAD_STREAMS = {
    "cursor": "/v1/countries?format=csv&cursor=0",
    "date_from": "/v1/meetings?format=ndjson&date_from=2016-01-01&date_to=2015-01-01",
}


@pytest.mark.parametrize(("parameter", "url"), BAD_STREAMS.items())
def test_a_bad_value_is_a_400_before_a_stream_starts(
    client: Client, parameter: str, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert parameter in [error["parameter"] for error in response.json()["errors"]]


def test_facet_links_keep_the_clients_order(client: Client) -> None:
    """The same request gives the same bytes in every process: no set order leaks into them."""
    query = "limit=1&fields=text&facet=speaker&facet=article"
    body = client.get(f"/v1/quotes?{query}").json()
    hrefs = [v["href"] for values in body["meta"]["facets"].values() for v in values]
    assert hrefs
    assert all(href.startswith(f"/v1/quotes?{query}&") for href in hrefs)


def _queries(client: Client, resource: Resource) -> dict[str, list[tuple[str, str]]]:
    """Plain, sorted both ways by every key, filtered and sorted, and a range filter."""
    queries: dict[str, list[tuple[str, str]]] = {"plain": []}
    for key in ("id", *resource.sorts):
        queries[f"sort={key}"] = [("sort", key)]
        queries[f"sort=-{key}"] = [("sort", f"-{key}")]
    if resource.facets:
        name, value = _some_value(client, resource)
        queries["filtered"] = [(name, value)]
        queries["filtered, sorted"] = [(name, value), ("sort", f"-{next(iter(resource.sorts))}")]
    return queries


def _linked(response: Any) -> list[tuple[str, str]]:
    """The query of a response's next link (none without one)."""
    link = response.headers.get("link", "<>")
    return parse_qsl(urlsplit(link.removeprefix("<").split(">")[0]).query)


@pytest.mark.parametrize("name", NAMES)
def test_a_csv_of_every_field_is_the_one_written_from_the_bodies(
    client: Client, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CSV of whole records is the build's stored rows (api/model/tables.py); naming every
    field in ``fields`` has it written from the bodies instead. Both give the same bytes, as a
    stream (read two records at a time, so that it crosses pages), as a page and the link to
    the next page, with and without filters and sorts."""
    monkeypatch.setattr(collection, "EXPORT_PAGE", 2)
    resource = next(r for r in RESOURCES if r.name == name)
    records = json_pages(client, f"/v1/{name}", [])
    every = ",".join(dict.fromkeys(key for record in records for key in record))
    for query in _queries(client, resource).values():
        for paged in ([], [("limit", "3")]):
            asked = (*query, *paged, ("format", "csv"))
            stored = client.get(f"/v1/{name}", params=asked)
            written = client.get(f"/v1/{name}", params=(*asked, ("fields", every)))
            assert stored.status_code == written.status_code == 200
            assert stored.content == written.content
            assert _linked(stored) == [(k, v) for k, v in _linked(written) if k != "fields"]
        whole = client.get(f"/v1/{name}", params=[*query, ("format", "csv")]).text
        assert_csv_agrees(whole, json_pages(client, f"/v1/{name}", query))
