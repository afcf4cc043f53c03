"""Bounded work per search: too broad is a 400 that says how to narrow it, never a busy worker.

On the test database with the cap lowered (quick), and on a generated corpus of 100,000 facts,
where a common word matches more records than the cap and two of them fewer (the tests that
need it are marked ``live``: they take a minute, with the real server or in-process). The
1,000,000-fact figures come from bench/search_budget.py.
"""

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from api.build import build
from api.settings import Settings
from api.web import store
from api.web.app import create_app
from api.web.query import query_words
from bench import scale
from bench.search_budget import cases
from tests.conftest import ServiceFactory
from tests.live import get


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("scale")
    scale.generate(folder, articles=500, facts=100_000)
    settings = Settings(
        seeds=folder / "seeds",
        fixtures=folder / "fixtures",
        database=folder / "facts.sqlite",
        cache_bytes=0,
    )
    build(settings)
    return settings


@pytest.fixture
def scaled(corpus: Settings) -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(corpus)) as client:
        yield client


def paths(database: Path) -> dict[str, str]:
    """The searches bench/search_budget.py times, by kind: narrow, ranked, too broad."""
    found = {case.name.split(" (")[0]: case.path for case in cases(database)}
    assert {"narrow search", "ranked search", "common word"} <= found.keys()
    return found


def assert_too_broad(status: int, body: bytes) -> None:
    assert status == 400
    problem = msgspec.json.decode(body)
    assert problem["status"] == 400
    (error,) = problem["errors"]
    assert error["parameter"] == "q"
    assert error["detail"].startswith(f"too broad: matches more than {store.MAX_RANKED:,}")
    assert "add words" in error["detail"]


def test_a_search_matching_more_than_the_cap_is_refused_and_others_are_answered(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "MAX_RANKED", 2)
    with TestClient(app=create_app(msgspec.structs.replace(settings, cache_bytes=0))) as client:
        broad = client.get("/v1/search?q=csto")  # in several quotes, meetings and more
        assert_too_broad(broad.status_code, broad.content)
        assert broad.headers["content-type"] == "application/problem+json"
        narrow = client.get("/v1/search?q=csto&limit=1&type=organisation")
        assert_too_broad(narrow.status_code, narrow.content)  # the cap is on matches, any type
        answered = client.get("/v1/search?q=jihadi+recruitment")
        assert answered.status_code == 200
        assert 0 < answered.json()["meta"]["total"] <= 2


@pytest.mark.parametrize("resource", ["quotes", "meetings", "organisations"])
def test_a_collection_text_filter_too_broad_to_read_is_refused_the_same_way(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, resource: str
) -> None:
    monkeypatch.setattr(store, "MAX_RANKED", 2)
    app = create_app(msgspec.structs.replace(settings, cache_bytes=0))
    with TestClient(app=app) as client:
        broad = client.get(f"/v1/{resource}?q=csto")
        assert_too_broad(broad.status_code, broad.content)
        narrow = client.get(f"/v1/{resource}?q=jihadi+recruitment")
        assert narrow.status_code == 200


@pytest.mark.live
def test_at_scale_common_words_are_refused_and_narrower_searches_ranked(
    scaled: TestClient[Any], corpus: Settings
) -> None:
    found = paths(corpus.database)
    broad = scaled.get(found["common word"])
    assert_too_broad(broad.status_code, broad.content)
    for kind in ("narrow search", "ranked search"):
        answered = scaled.get(found[kind])
        assert answered.status_code == 200
        assert 0 < answered.json()["meta"]["total"] <= store.MAX_RANKED
    ranked = scaled.get(found["ranked search"]).json()["meta"]["total"]
    assert ranked > store.SMALL_SEARCH  # ranked on the search thread, under the budget


@pytest.mark.live
def test_a_search_that_runs_past_its_budget_is_refused_and_stays_refused(
    scaled: TestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A one-letter prefix makes FTS5 merge the doclists of every word it starts: milliseconds
    # here, far more than a budget of 0.2 ms (the interrupt lands in the middle of it).
    monkeypatch.setattr(store, "SEARCH_BUDGET", 0.0002)
    first = scaled.get("/v1/search?q=a")
    assert_too_broad(first.status_code, first.content)
    monkeypatch.undo()
    again = scaled.get("/v1/search?q=a&type=quote")
    assert_too_broad(again.status_code, again.content)
    assert scaled.get("/v1/search?q=zzz").status_code == 200


@pytest.mark.live
def test_the_live_service_refuses_broad_searches_and_answers_narrow_ones(
    serve: ServiceFactory, corpus: Settings
) -> None:
    found = paths(corpus.database)
    env = {"ARTICLE_FACTS_DB": str(corpus.database), "ARTICLE_FACTS_CACHE_BYTES": "0"}
    env |= {
        "ARTICLE_FACTS_SEEDS": str(corpus.seeds),
        "ARTICLE_FACTS_FIXTURES": str(corpus.fixtures),
    }
    with serve(**env) as service:
        for _ in range(2):  # counted, then remembered: the same answer
            assert_too_broad(*_status_body(get(service.base + found["common word"])))
            assert get(service.base + found["ranked search"])[0] == 200
            assert get(service.base + found["narrow search"])[0] == 200


def _status_body(answer: tuple[int, dict[str, str], bytes]) -> tuple[int, bytes]:
    return answer[0], answer[2]


def test_words_held_by_too_many_records_are_refused_before_ranking(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "MAX_WEIGHED", 40)  # "the" is in 41 records of the test database
    with TestClient(app=create_app(msgspec.structs.replace(settings, cache_bytes=0))) as client:
        broad = client.get("/v1/search?q=the+jihadi")
        assert broad.status_code == 400
        (error,) = broad.json()["errors"]
        assert error["parameter"] == "q"
        assert error["detail"].startswith("too broad: its words are in more than 40 records")
        assert "'the' alone in 41" in error["detail"]
        assert "leave out the most common words" in error["detail"]
        prefix = client.get("/v1/search?q=jihadi+the")  # the last word: "the", "their", …
        assert prefix.status_code == 400
        (error,) = prefix.json()["errors"]
        assert "words starting 'the' in" in error["detail"]
        assert "spell out more of the last word" in error["detail"]
        assert client.get("/v1/search?q=jihadi+recruitment").status_code == 200


@pytest.mark.parametrize("query", ["the", "RUSSIAN csto", "jihadi recr", "bordyuzha s", "zzz"])
def test_the_records_a_word_is_weighed_by_are_those_fts5_reads(
    settings: Settings, query: str
) -> None:
    """Store.weighed (a lookup in search_terms): a word, the records FTS5 matches; the last word
    (a prefix), the records of every word of the index it starts, summed: what FTS5 merges."""
    words = query_words(query)

    async def weighed() -> list[int]:
        opened = await store.Store.open(settings.database)
        try:
            return opened.weighed(words)
        finally:
            await opened.close()

    connection = sqlite3.connect(f"file:{settings.database}?mode=ro", uri=True)
    connection.execute("create virtual table temp.v using fts5vocab(main, search, row)")
    matched = [
        connection.execute("select count(*) from search where search match ?", (f'"{word}"',))
        for word in words[:-1]
    ]
    counted = [cursor.fetchone()[0] for cursor in matched]
    prefix = words[-1].lower()
    counted += connection.execute(
        "select coalesce(sum(doc), 0) from temp.v where substr(term, 1, ?) = ?",
        (len(prefix), prefix),
    ).fetchone()
    distinct = connection.execute(
        "select count(*) from search where search match ?", (f'"{prefix}" *',)
    ).fetchone()[0]
    connection.close()
    assert asyncio.run(weighed()) == counted
    assert counted[-1] >= distinct
    assert query == "zzz" or all(counted)


def test_matches_times_words_past_the_cap_are_refused_before_ranking(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(msgspec.structs.replace(settings, cache_bytes=0))
    with TestClient(app=app) as client:
        one = client.get("/v1/search?q=csto").json()["meta"]["total"]
        monkeypatch.setattr(store, "MAX_SCORED", one * 2)
        assert client.get("/v1/search?q=csto").status_code == 200
        assert client.get("/v1/search?q=csto+csto").status_code == 200  # two words: at the cap
        broad = client.get("/v1/search?q=csto+csto+csto")
        assert broad.status_code == 400
        (error,) = broad.json()["errors"]
        assert error["parameter"] == "q"
        assert error["detail"] == (
            f"too broad: {one:,} matches scored for each of 3 words is more than {one * 2:,}"
            " scores; use fewer words, or rarer ones"
        )
