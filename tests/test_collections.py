"""Collections: the envelope, paging, sorting, filters and errors every resource shares."""

import asyncio
import sqlite3
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from api.model.catalog import RESOURCES, Resource, low_end
from api.model.models import Bounds
from api.model.tables import sort_column
from api.settings import Settings
from api.web.store import Store

ARTICLE = "russia-taps-sco-and-csto-to-counter-islamic-state"
NAMES = [resource.name for resource in RESOURCES]


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail", "errors"} <= body.keys()
    return body


def parameters_named(response: Any) -> set[str]:
    return {error["parameter"] for error in problem(response, 400)["errors"]}


@pytest.mark.parametrize("name", NAMES)
def test_every_collection_has_the_envelope(client: TestClient[Any], name: str) -> None:
    body = client.get(f"/v1/{name}").json()
    assert set(body) == {"data", "meta", "links"}
    assert body["meta"]["limit"] == 50
    assert body["meta"]["total"] == len(body["data"]) > 0
    assert body["links"] == {"self": f"/v1/{name}", "next": None}
    for record in body["data"]:
        assert record["href"] == f"/v1/{name}/{record['id']}"
        assert client.get(record["href"]).json() == record


@pytest.mark.parametrize("name", NAMES)
def test_pages_follow_the_next_link_and_the_link_header(client: TestClient[Any], name: str) -> None:
    everything = [r["id"] for r in client.get(f"/v1/{name}", params={"limit": 500}).json()["data"]]
    url: str | None = f"/v1/{name}?limit=2"
    seen: list[str] = []
    while url is not None:
        response = client.get(url)
        body = response.json()
        seen += [record["id"] for record in body["data"]]
        url = body["links"]["next"]
        if url is None:
            assert "link" not in response.headers
            assert body["meta"]["next_cursor"] is None
        else:
            assert response.headers["link"] == f'<{url}>; rel="next"'
            assert body["meta"]["next_cursor"] in url
    assert seen == everything == sorted(everything)


def test_descending_sort_orders_by_the_field_then_id(client: TestClient[Any]) -> None:
    data = client.get("/v1/statistics", params={"sort": "-value", "limit": 500}).json()["data"]
    # A number sorts by the least value its bounds allow ("dozens of": 24).
    keys = [(-low_end(msgspec.convert(s["bounds"], Bounds)), s["id"]) for s in data]
    assert keys == sorted(keys)


def test_a_cursor_belongs_to_its_sort(client: TestClient[Any]) -> None:
    cursor = client.get("/v1/quotes", params={"limit": 1}).json()["meta"]["next_cursor"]
    response = client.get("/v1/quotes", params={"limit": 1, "sort": "-date", "cursor": cursor})
    assert parameters_named(response) == {"cursor"}


@pytest.mark.parametrize("cursor", ["x", "!!!", "WyJpZCJd", "bnVsbA", "e30"])
def test_a_bad_cursor_is_a_400(client: TestClient[Any], cursor: str) -> None:
    assert parameters_named(client.get("/v1/quotes", params={"cursor": cursor})) == {"cursor"}


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"limit": "0"}, {"limit"}),
        ({"limit": "501"}, {"limit"}),
        ({"limit": "ten"}, {"limit"}),
        ({"limit": str(2**64)}, {"limit"}),
        ({"sort": "colour"}, {"sort"}),
        ({"colour": "red"}, {"colour"}),
        ({"speaker": "Not A Slug"}, {"speaker"}),
        ({"q": ""}, {"q"}),
        ({"q": "x" * 201}, {"q"}),
        ({"q": "a\x00b"}, {"q"}),
    ],
)
def test_invalid_parameters_are_named(
    client: TestClient[Any], query: dict[str, str], named: set[str]
) -> None:
    assert parameters_named(client.get("/v1/quotes", params=query)) == named


def test_a_repeated_parameter_is_a_400(client: TestClient[Any]) -> None:
    assert parameters_named(client.get("/v1/quotes?limit=1&limit=2")) == {"limit"}


def test_inverted_ranges_are_400s(client: TestClient[Any]) -> None:
    dates = {"date_from": "2015-09-20", "date_to": "2015-09-01"}
    assert parameters_named(client.get("/v1/meetings", params=dates)) == {"date_from"}
    values = {"value_min": "10", "value_max": "1"}
    assert parameters_named(client.get("/v1/statistics", params=values)) == {"value_min"}


def ids(client: TestClient[Any], path: str, **params: str) -> set[str]:
    response = client.get(path, params={**params, "limit": "500"})
    assert response.status_code == 200, response.text
    return {record["id"] for record in response.json()["data"]}


def test_meeting_filters(client: TestClient[Any]) -> None:
    assert ids(client, "/v1/meetings", participant="uzbekistan") == {
        "rats-sco-council-session-tashkent-2015"
    }
    assert ids(client, "/v1/meetings", kind="conversation") == {
        "gaynutdin-haddad-conversation-2015-09-18"
    }
    september = ids(client, "/v1/meetings", date_from="2015-09-16", date_to="2015-09-18")
    assert september == {
        "rats-sco-council-session-tashkent-2015",
        "gaynutdin-haddad-conversation-2015-09-18",
    }
    assert ids(client, "/v1/meetings", organisation="csto") == {"csto-summit-dushanbe-2015"}


def test_membership_filters_in_both_directions(client: TestClient[Any]) -> None:
    csto = {"armenia", "belarus", "kazakhstan", "kyrgyzstan", "russia", "tajikistan"}
    assert ids(client, "/v1/countries", organisation="csto") == csto
    assert "csto" in ids(client, "/v1/organisations", member="armenia")
    members = client.get("/v1/members", params={"organisation": "csto"}).json()["data"]
    assert {m["member"]["id"] for m in members} == csto


def test_statistics_filters(client: TestClient[Any]) -> None:
    big = ids(client, "/v1/statistics", value_min="20000")
    assert big
    for i in big:
        bounds = client.get(f"/v1/statistics/{i}").json()["bounds"]
        assert bounds["max"] is None or bounds["max"] >= 20000
    assert ids(client, "/v1/statistics", unit="websites")
    assert ids(client, "/v1/statistics", qualifier="approximately")


def test_value_filters_match_by_overlap_with_the_bounds_the_text_supports(
    client: TestClient[Any],
) -> None:
    """ "more than 50,000" is (50000, none): 50,000 itself is not in it; "dozens of" is at least
    24 with no upper bound, so it meets any window from 24 up; "about 3,000" is [2700, 3300]."""
    websites, dozens, about = (
        "csto-isis-recruitment-websites-shut-down",
        "antonov-124-transports-to-syria",
        "central-asians-fighting-for-is",
    )
    assert websites not in ids(client, "/v1/statistics", value_max="50000")
    assert websites in ids(client, "/v1/statistics", value_min="50000", value_max="50000.5")
    assert dozens in ids(client, "/v1/statistics", value_min="1000000")
    assert dozens not in ids(client, "/v1/statistics", value_max="23")
    assert about in ids(client, "/v1/statistics", value_min="3200", value_max="3250")
    assert about not in ids(client, "/v1/statistics", value_min="3301")
    antonov = client.get(f"/v1/statistics/{dozens}").json()
    assert antonov["value"] is None  # the text states no number: no conventional 12
    assert antonov["wording"] == "dozens of"


def test_quote_filters(client: TestClient[Any]) -> None:
    putin = ids(client, "/v1/quotes", speaker="vladimir-putin")
    assert putin
    assert ids(client, "/v1/quotes", q="Mecca") <= putin
    assert ids(client, "/v1/quotes", article=ARTICLE) == ids(client, "/v1/quotes")
    assert ids(client, "/v1/quotes", article="no-such-article") == set()


def test_unknown_id_is_a_404_problem(client: TestClient[Any]) -> None:
    assert "no quote" in problem(client.get("/v1/quotes/no-such-quote"), 404)["detail"]


def test_unknown_path_is_a_404_problem(client: TestClient[Any]) -> None:
    problem(client.get("/v2/quotes"), 404)


def test_wrong_method_is_a_405_with_allow(client: TestClient[Any]) -> None:
    response = client.delete("/v1/quotes")
    problem(response, 405)
    assert {m.strip() for m in response.headers["allow"].split(",")} >= {"GET", "HEAD"}


def test_related_records_are_readable_references(client: TestClient[Any]) -> None:
    quote = client.get("/v1/quotes", params={"speaker": "vladimir-putin"}).json()["data"][0]
    assert quote["speaker"] == {
        "type": "person",
        "id": "vladimir-putin",
        "name": "Vladimir Putin",
        "href": "/v1/people/vladimir-putin",
    }


async def _page_statements(settings: Settings, resource: Resource) -> list[tuple[str, Any]]:
    """The page SQL the store runs and its values after the first record, per sort key,
    ascending and descending (bounded pages are read on the event loop, by ``_now``)."""
    store = await Store.open(settings.database)
    ran: list[tuple[str, Any]] = []
    now = store._now

    def recorded(sql: str, values: Any) -> list[Any]:
        ran.append((sql, values))
        return now(sql, values)

    store._now = recorded  # type: ignore[method-assign]
    try:
        for key in resource.sorts:
            column = sort_column(key)
            order = f"select {column}, id from {resource.name} order by {column}, id"  # noqa: S608
            value, record_id = now(order, ())[0]
            for descending in (False, True):
                await store.page(resource, [], key, descending, (value, record_id), 1)
    finally:
        await store.close()
    return [(sql, values) for sql, values in ran if " limit " in sql]


def test_a_page_after_a_cursor_starts_at_the_cursors_key(settings: Settings) -> None:
    """Sorted by a key other than id, a page after a cursor seeks the key in its index: it
    neither walks the index from its start nor gathers and sorts every later record (with the
    disjunction ``key > v or (key = v and id > last)`` SQLite did one or the other; a page of
    the 400,000 quotes by ``-date`` took 1.4 s). A table of one record is scanned, rightly."""
    connection = sqlite3.connect(settings.database)
    checked = []
    try:
        for resource in RESOURCES:
            count = f"select count(*) from {resource.name}"  # noqa: S608
            if connection.execute(count).fetchone()[0] < 2:
                continue
            statements = asyncio.run(_page_statements(settings, resource))
            assert len(statements) == 2 * len(resource.sorts)
            for sql, values in statements:
                explained = connection.execute(f"explain query plan {sql}", values)
                plan = [row[3] for row in explained]
                assert plan[0].startswith(f"SEARCH {resource.name} USING INDEX"), (sql, plan)
                assert not any("MULTI-INDEX OR" in step or step.startswith("SCAN") for step in plan)
            checked.append(resource.name)
    finally:
        connection.close()
    assert "quotes" in checked
