"""The data: every evidence span equals the article text; generated schemas match the models."""

from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from api.build import schemas
from api.model.catalog import RESOURCES
from api.settings import Settings
from tests.conftest import spans


def everything(client: TestClient[Any]) -> dict[str, list[dict[str, Any]]]:
    return {
        resource.name: client.get(f"/v1/{resource.name}", params={"limit": 500}).json()["data"]
        for resource in RESOURCES
    }


def test_every_evidence_span_of_every_record_equals_the_text(
    client: TestClient[Any], article_text: str
) -> None:
    checked = 0
    for records in everything(client).values():
        for record in records:
            assert list(spans(record)), f"{record['href']} has no evidence"
            for span in spans(record):
                assert span["article"] == "russia-taps-sco-and-csto-to-counter-islamic-state"
                assert 0 <= span["start"] < span["end"] <= len(article_text)
                assert article_text[span["start"] : span["end"]] == span["exact"]
                checked += 1
    assert checked >= 100


def test_every_quote_text_is_exactly_one_of_its_spans(client: TestClient[Any]) -> None:
    for quote in everything(client)["quotes"]:
        assert quote["text"] in [span["exact"] for span in quote["evidence"]]
        assert not quote["text"].startswith(("“", '"'))
        assert not quote["text"].endswith(("”", '"'))


def test_participants_of_the_tashkent_session_are_not_thereby_members(
    client: TestClient[Any],
) -> None:
    session = client.get("/v1/meetings/rats-sco-council-session-tashkent-2015").json()
    attended = {p["participant"]["id"] for p in session["participants"]}
    assert {"uzbekistan", "kazakhstan", "kyrgyzstan", "tajikistan"} <= attended
    members = client.get("/v1/members", params={"organisation": "sco", "limit": 500}).json()["data"]
    assert (
        not attended
        & {"uzbekistan", "kazakhstan", "kyrgyzstan", "tajikistan"}
        & {m["member"]["id"] for m in members}
    )


def test_years_the_text_leaves_out_are_marked_inferred(client: TestClient[Any]) -> None:
    summit = client.get("/v1/meetings/csto-summit-dushanbe-2015").json()
    assert summit["start"] == {"value": "2015-09-14", "precision": "day", "year_inferred": True}
    assert summit["end"] == {"value": "2015-09-15", "precision": "day", "year_inferred": True}


def test_committed_schemas_match_the_models() -> None:
    committed = {path.name: path.read_bytes() for path in schemas.DIRECTORY.glob("*.schema.json")}
    assert committed == schemas.rendered()


def test_the_schema_check_fails_when_a_schema_drifts(tmp_path: Path) -> None:
    assert schemas.main(check=False, directory=tmp_path) == 0
    assert schemas.main(check=True, directory=tmp_path) == 0
    (tmp_path / "quote.schema.json").write_text("{}")
    assert schemas.main(check=True, directory=tmp_path) == 1


def test_the_service_publishes_the_committed_schemas(
    client: TestClient[Any], settings: Settings
) -> None:
    listed = client.get("/v1/schemas").json()
    assert set(listed) == {
        path.name.removesuffix(".schema.json") for path in schemas.DIRECTORY.iterdir()
    }
    response = client.get("/v1/schemas/quote")
    assert response.headers["content-type"] == "application/schema+json"
    assert response.content == (schemas.DIRECTORY / "quote.schema.json").read_bytes()
