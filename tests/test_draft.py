"""`python -m api draft`: candidates with exact evidence, refused by the build until reviewed,
and good enough on the seed article to be worth reviewing (measured against its curated fixture,
which the draft itself never reads)."""

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from api.__main__ import main
from api.build import build
from api.draft import draft
from api.errors import BuildError
from api.settings import ROOT, Settings

SEED = ROOT / "seeds" / "000_dc61a9fdc031304e.txt"
CURATED = ROOT / "fixtures" / "000_dc61a9fdc031304e.json"
MARKERS = ("draft_mentions", "draft_names")


@pytest.fixture(scope="module")
def drafted() -> dict[str, Any]:
    entities = json.loads((ROOT / "fixtures" / "entities.json").read_text("utf-8"))
    return draft(SEED, entities, "2015-09")


@pytest.fixture(scope="module")
def curated() -> dict[str, Any]:
    return dict(json.loads(CURATED.read_text("utf-8")))


def records(drafted: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for name, listed in drafted.items() if name not in MARKERS for r in listed]


def reviewed(drafted: dict[str, Any]) -> dict[str, Any]:
    """What a curator who confirms every candidate leaves: no markers."""
    kept = {name: listed for name, listed in drafted.items() if name not in MARKERS}
    return {
        name: [{k: v for k, v in r.items() if k != "draft"} for r in listed]
        for name, listed in kept.items()
    }


def spans(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        found = [value] if value.keys() == {"article", "start", "end", "exact"} else []
        return found + [span for item in value.values() for span in spans(item)]
    if isinstance(value, list):
        return [span for item in value for span in spans(item)]
    return []


def test_every_candidate_carries_exact_evidence_and_a_draft_marker(drafted: dict[str, Any]) -> None:
    text = SEED.read_text("utf-8")
    assert all(record["draft"] for record in records(drafted))
    assert len(spans(drafted)) > 200
    for span in spans(drafted):
        assert text[span["start"] : span["end"]] == span["exact"]


@pytest.fixture
def workspace(tmp_path: Path) -> Settings:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    (tmp_path / "fixtures").mkdir()
    shutil.copy(ROOT / "fixtures" / "entities.json", tmp_path / "fixtures")
    return Settings(
        seeds=tmp_path / "seeds", fixtures=tmp_path / "fixtures", database=tmp_path / "f.sqlite"
    )


def test_the_build_refuses_a_draft_and_accepts_it_once_reviewed(
    drafted: dict[str, Any], workspace: Settings
) -> None:
    path = workspace.fixtures / CURATED.name
    path.write_text(json.dumps(drafted, ensure_ascii=False), "utf-8")
    with pytest.raises(BuildError) as refused:
        build(workspace)
    assert CURATED.name in str(refused.value)
    assert not workspace.database.exists()

    path.write_text(json.dumps(reviewed(drafted), ensure_ascii=False), "utf-8")
    assert build(workspace).counts["quotes"] == len(drafted["quotes"])


def found_share(curated: list[dict[str, Any]], matches: Any) -> float:
    return sum(1 for record in curated if matches(record)) / len(curated)


def test_the_draft_finds_every_curated_quote_exactly_the_unbalanced_one_included(
    drafted: dict[str, Any], curated: dict[str, Any]
) -> None:
    drafted_spans = {
        (q["evidence"][0]["start"], q["evidence"][0]["end"]) for q in drafted["quotes"]
    }
    curated_spans = {
        (q["evidence"][0]["start"], q["evidence"][0]["end"]) for q in curated["quotes"]
    }
    assert curated_spans <= drafted_spans  # recall: all
    assert drafted_spans <= curated_spans  # precision: nothing that is not a quote
    speakers = {(q["evidence"][0]["start"], q["speaker"]) for q in drafted["quotes"]}
    assert speakers == {(q["evidence"][0]["start"], q["speaker"]) for q in curated["quotes"]}


def overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return bool(a["start"] < b["end"] and b["start"] < a["end"])


def test_the_draft_finds_nine_in_ten_curated_numbers_with_value_and_qualifier(
    drafted: dict[str, Any], curated: dict[str, Any]
) -> None:
    def same(one: dict[str, Any], other: dict[str, Any]) -> bool:
        near = any(overlaps(a, b) for a in one["evidence"] for b in other["evidence"])
        return near and (one["value"], one["qualifier"]) == (other["value"], other["qualifier"])

    recall = found_share(
        curated["statistics"], lambda c: any(same(c, d) for d in drafted["statistics"])
    )
    precision = found_share(
        drafted["statistics"], lambda d: any(same(d, c) for c in curated["statistics"])
    )
    assert recall >= 0.9
    assert precision >= 0.9


def test_the_draft_finds_the_date_of_every_dated_meeting(
    drafted: dict[str, Any], curated: dict[str, Any]
) -> None:
    def when(meeting: dict[str, Any]) -> tuple[Any, ...]:
        end = meeting.get("end") or {}
        return (*meeting["start"].values(), end.get("value"))

    dated = [m for m in curated["meetings"] if m["start"]["precision"] == "day"]
    assert len(dated) == 4
    assert {when(m) for m in dated} <= {when(m) for m in drafted["meetings"]}


def test_the_command_prints_the_draft_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["draft", str(SEED), "--date", "2015-09"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["articles"][0]["date"] == {
        "value": "2015-09",
        "precision": "month",
        "year_inferred": False,
    }
    assert set(printed) >= {"quotes", "statistics", "meetings", *MARKERS}
