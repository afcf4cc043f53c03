"""Article text and spans; full-text search with typed hits and snippets."""

from typing import Any

import pytest
from litestar.testing import TestClient

from api.model.catalog import SEARCHED

ARTICLE = "/v1/articles/russia-taps-sco-and-csto-to-counter-islamic-state"


def test_article_metadata_describes_its_text(client: TestClient[Any], article_text: str) -> None:
    import hashlib

    article = client.get(ARTICLE).json()
    assert article["length"] == len(article_text)
    assert article["sha256"] == hashlib.sha256(article_text.encode()).hexdigest()
    assert article["date"]["year_inferred"] is True
    assert article["text_href"] == f"{ARTICLE}/text"


def test_the_text_is_served_whole_as_utf8_plain_text(
    client: TestClient[Any], article_text: str
) -> None:
    response = client.get(f"{ARTICLE}/text")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.content.decode("utf-8") == article_text


@pytest.mark.parametrize(("start", "end"), [(0, 49), (1000, 1001), (5, 5), (8000, None), (None, 3)])
def test_a_span_of_the_text(
    client: TestClient[Any], article_text: str, start: int | None, end: int | None
) -> None:
    params = {k: v for k, v in {"start": start, "end": end}.items() if v is not None}
    assert client.get(f"{ARTICLE}/text", params=params).text == article_text[start:end]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"start": "10", "end": "5"}, "start"),
        ({"end": "100000"}, "end"),
        ({"start": "100000"}, "start"),
        ({"start": "-1"}, "start"),
        ({"start": "x"}, "start"),
        ({"begin": "1"}, "begin"),
    ],
)
def test_bad_spans_are_400s(client: TestClient[Any], params: dict[str, str], named: str) -> None:
    response = client.get(f"{ARTICLE}/text", params=params)
    assert response.status_code == 400
    assert [e["parameter"] for e in response.json()["errors"]] == [named]


def test_text_of_an_unknown_article_is_a_404(client: TestClient[Any]) -> None:
    assert client.get("/v1/articles/nope/text").status_code == 404


def test_search_returns_typed_hits_with_snippets(client: TestClient[Any]) -> None:
    body = client.get("/v1/search", params={"q": "Bordyuzha"}).json()
    types = {hit["type"] for hit in body["data"]}
    assert {"person", "article"} <= types
    for hit in body["data"]:
        assert client.get(hit["href"]).status_code == 200
        assert "[Bordyuzha]" in hit["snippet"]


def test_search_by_type_and_prefix(client: TestClient[Any]) -> None:
    hits = client.get("/v1/search", params={"q": "Bordyu", "type": "person"}).json()["data"]
    assert [hit["id"] for hit in hits] == ["nikolai-bordyuzha"]


@pytest.mark.parametrize("q", ['"', "-", "NEAR(", "AND", "a OR b", "x*", "col:umn", "'); drop"])
def test_search_syntax_is_taken_literally(client: TestClient[Any], q: str) -> None:
    response = client.get("/v1/search", params={"q": q})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()["errors"][0]["parameter"] == "q"


def test_search_pages_cover_every_hit_once(client: TestClient[Any]) -> None:
    url: str | None = "/v1/search?q=russia&limit=4"
    seen: list[tuple[str, str]] = []
    total = None
    while url:
        body = client.get(url).json()
        total = body["meta"]["total"]
        seen += [(hit["type"], hit["id"]) for hit in body["data"]]
        url = body["links"]["next"]
    assert len(seen) == len(set(seen)) == total


def test_search_needs_q(client: TestClient[Any]) -> None:
    response = client.get("/v1/search")
    assert response.status_code == 400
    assert response.json()["errors"][0]["parameter"] == "q"


def test_search_types_are_the_searchable_resources(client: TestClient[Any]) -> None:
    for noun in SEARCHED:
        hits = client.get("/v1/search", params={"q": "a", "type": noun, "limit": 500}).json()
        assert {hit["type"] for hit in hits["data"]} == {noun}
    assert client.get("/v1/search", params={"q": "russia", "type": "member"}).status_code == 400
