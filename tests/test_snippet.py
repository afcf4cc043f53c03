"""Search snippets (api/web/snippet.py) against FTS5's own snippet() on the test database: the
same text for every record of at most 16 words, and for a longer one 16 words around matches."""

import sqlite3
from typing import Any

import pytest
from litestar.testing import TestClient

from api.settings import Settings
from api.web import snippet
from api.web.query import fts_match, query_words
from api.web.snippet import SHORT, TOKEN, WINDOW, Snippet

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


def fts5_snippet(text: str, query: str) -> str:
    """FTS5's own snippet of ``text`` for ``query``, from a table of that one text."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute(
            "create virtual table t using fts5(body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        connection.execute("insert into t values (?)", (text,))
        sql = "select snippet(t, 0, '[', ']', '…', 16) from t where t match ?"
        return str(connection.execute(sql, (fts_match("q", query),)).fetchone()[0])
    finally:
        connection.close()


@pytest.mark.parametrize(
    "text",
    [
        "Security " + "pipeline" * 60 + " council, then (" + "." * 400 + ") summit security.",
        "A " + " " * SHORT + "b security summit",
        "security " + "-" * (2 * SHORT) + " summit",
    ],
)
def test_a_long_text_of_few_words_is_whole_as_in_fts5(text: str) -> None:
    assert len(text) > SHORT
    assert len(TOKEN.findall(text)) <= WINDOW
    for query in ["security", "security summit", "summ"]:
        assert Snippet(query_words(query))(text) == fts5_snippet(text, query)


def test_a_snippet_of_several_words_shows_the_rarest_one() -> None:
    # The common word fills the start of the text; the rare one comes once, far on.
    common = " ".join(["the security council met"] * 150)
    text = f"{common} and the treaty was signed in Astana. {common}"
    found = Snippet(query_words("security treaty"), rarest=1)(text)
    assert "[treaty]" in found
    assert "[security]" in found  # 16 words around it hold a security too
    assert len(TOKEN.findall(found)) == WINDOW
    assert found.replace("[", "").replace("]", "").strip("…") in text


@pytest.mark.parametrize("query", QUERIES)
def test_ascii_texts_are_cut_as_any_text_is(
    settings: Settings, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ASCII patterns (a fast path) cut every ASCII text where the Unicode ones do."""
    texts = [body for _, body, _ in fts5(settings, query)]
    texts += [body.encode("ascii", "replace").decode() for body in texts]  # the article too
    fast = [Snippet(query_words(query))(text) for text in texts]
    monkeypatch.setattr(snippet, "ASCII", snippet.UNICODE)
    assert [Snippet(query_words(query))(text) for text in texts] == fast
    assert any(len(text) > SHORT and text.isascii() for text in texts)


def test_a_hit_is_centred_on_the_query_word_held_by_the_fewest_records(
    client: TestClient[Any], settings: Settings
) -> None:
    """ "soviet" is in one record (the article, six times), "corps" in six (once in the
    article, past its first 2,048 characters): the article's snippet for both is centred on
    "soviet" — where counting in the text itself would choose "corps"."""
    connection = sqlite3.connect(f"file:{settings.database}?mode=ro", uri=True)
    text = connection.execute("select body from search where type = 'article'").fetchone()[0]
    records = dict(connection.execute("select term, records from search_terms"))
    connection.close()
    assert records["soviet"] < records["corps"]
    assert text.lower().count("soviet", 0, 2048) > text.lower().count("corps", 0, 2048)
    words = query_words("soviet corps")
    hits = client.get("/v1/search", params={"q": "soviet corps"}).json()["data"]
    (snippet,) = [hit["snippet"] for hit in hits if hit["type"] == "article"]
    assert snippet == Snippet(words, rarest=0)(text)
    assert snippet != Snippet(words, rarest=1)(text)
    assert "[Soviet]" in snippet
