"""Search snippets (api/web/snippet.py) against FTS5's own snippet() on the test database: the
same text for every record of at most 16 words, and for a longer one 16 words around matches."""

import sqlite3
from typing import Any

import pytest
from litestar.testing import TestClient

from api.settings import Settings
from api.web.query import fts_match, query_words
from api.web.snippet import TOKEN, WINDOW, Snippet

QUERIES = ["Bordyuzha", "csto", "russia", "jihadi recruitment", "sec", "islamic state", "a"]


def fts5(settings: Settings, query: str) -> list[tuple[str, str, str]]:
    """Every match of ``query``: its type, text and FTS5's snippet of it."""
    connection = sqlite3.connect(f"file:{settings.database}?mode=ro", uri=True)
    try:
        sql = (
            "select type, body, snippet(search, 4, '[', ']', '…', 16) from search"
            " where search match ?"
        )
        return connection.execute(sql, (fts_match("q", query),)).fetchall()
    finally:
        connection.close()


@pytest.mark.parametrize("query", [q for q in QUERIES if q != "jihadi recruitment"])
def test_a_snippet_of_a_short_text_is_fts5s(settings: Settings, query: str) -> None:
    snippet = Snippet(query_words(query))
    short = [
        (body, theirs)
        for _, body, theirs in fts5(settings, query)
        if len(TOKEN.findall(body)) <= WINDOW
    ]
    assert short
    for body, theirs in short:
        assert snippet(body) == theirs


@pytest.mark.parametrize("query", QUERIES)
def test_a_snippet_of_a_long_text_is_16_words_around_a_match(
    settings: Settings, query: str
) -> None:
    snippet = Snippet(query_words(query))
    for _, body, _ in fts5(settings, query):
        if len(TOKEN.findall(body)) > WINDOW:
            found = snippet(body)
            assert "[" in found
            assert len(TOKEN.findall(found)) == WINDOW
            assert found.replace("[", "").replace("]", "").strip("…") in body


def test_diacritics_and_case_are_folded_as_the_tokenizer_does() -> None:
    assert Snippet(["sao", "paulo"])("São PAULO") == "[São] [PAULO]"
    assert Snippet(["bord"])("Mr Bordyuzha's") == "Mr [Bordyuzha]'s"
    assert Snippet(["bord", "x"])("Bord bordyuzha x") == "[Bord] bordyuzha [x]"


def test_search_hits_carry_these_snippets(client: TestClient[Any], settings: Settings) -> None:
    hits = client.get("/v1/search", params={"q": "csto", "limit": 500}).json()["data"]
    expected = {
        theirs for _, body, theirs in fts5(settings, "csto") if len(TOKEN.findall(body)) <= WINDOW
    }
    assert expected <= {hit["snippet"] for hit in hits}
