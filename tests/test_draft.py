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
from api.build.draft import draft
from api.model.errors import BuildError
from api.settings import ROOT, Settings
from tests.conftest import spans

SEED = ROOT / "seeds" / "000_dc61a9fdc031304e.txt"
CURATED = ROOT / "fixtures" / "000_dc61a9fdc031304e.json"
MARKERS = ("draft_dates", "draft_mentions", "draft_names")


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


def test_every_candidate_carries_exact_evidence_and_a_draft_marker(drafted: dict[str, Any]) -> None:
    text = SEED.read_text("utf-8")
    assert all(record["draft"] for record in records(drafted))
    assert len(list(spans(drafted))) > 200
    for span in spans(drafted):
        assert text[span["start"] : span["end"]] == span["exact"]
    assert len(drafted["draft_dates"]) >= 12  # every date, not only those of meetings


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
    confirmed = reviewed(drafted)
    one_marker_left = [
        {**confirmed, "quotes": [{**confirmed["quotes"][0], "draft": "x"}]},
        *({**confirmed, marker: drafted[marker]} for marker in MARKERS),
    ]
    for unreviewed in [drafted, *one_marker_left]:
        path.write_text(json.dumps(unreviewed, ensure_ascii=False), "utf-8")
        with pytest.raises(BuildError) as refused:
            build(workspace)
        assert refused.value.file == f"fixtures/{CURATED.name}"
        assert "draft" in refused.value.detail
    assert not workspace.database.exists()

    path.write_text(json.dumps(confirmed, ensure_ascii=False), "utf-8")
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


def bounds(statistic: dict[str, Any]) -> tuple[Any, ...]:
    given = statistic["bounds"]
    flags = (given.get("min_exclusive", False), given.get("max_exclusive", False))
    return (statistic["qualifier"], given["min"], given["max"], *flags)


def test_the_draft_finds_nine_in_ten_curated_numbers_with_qualifier_and_bounds(
    drafted: dict[str, Any], curated: dict[str, Any]
) -> None:
    def same(one: dict[str, Any], other: dict[str, Any]) -> bool:
        near = any(overlaps(a, b) for a in one["evidence"] for b in other["evidence"])
        return near and bounds(one) == bounds(other) and one.get("value") == other.get("value")

    recall = found_share(
        curated["statistics"], lambda c: any(same(c, d) for d in drafted["statistics"])
    )
    precision = found_share(
        drafted["statistics"], lambda d: any(same(d, c) for c in curated["statistics"])
    )
    assert recall >= 0.9
    assert precision >= 0.9


def test_the_draft_finds_the_date_of_every_dated_meeting_and_most_events(
    drafted: dict[str, Any], curated: dict[str, Any]
) -> None:
    def when(meeting: dict[str, Any]) -> tuple[Any, ...]:
        end = meeting.get("end") or {}
        return (*meeting["start"].values(), end.get("value"))

    dated = [m for m in curated["meetings"] if m["start"]["precision"] == "day"]
    assert len(dated) == 4
    assert {when(m) for m in dated} <= {when(m) for m in drafted["meetings"]}

    def day(event: dict[str, Any]) -> str | None:
        given = event.get("start") or event.get("no_later_than")
        return None if given is None else str(given["value"])

    found = {day(event) for event in drafted["events"]}
    events = [event for event in curated["events"] if day(event) is not None]
    assert found_share(events, lambda event: day(event) in found) >= 0.8


def test_the_command_prints_the_draft_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["draft", str(SEED), "--date", "2015-09"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["articles"][0]["date"] == {
        "value": "2015-09",
        "precision": "month",
        "year_inferred": False,
    }
    assert set(printed) >= {"quotes", "statistics", "meetings", *MARKERS}


def test_quotes_find_their_speaker_after_them_and_an_unclosed_one_ends_with_its_words(
    tmp_path: Path,
) -> None:
    seed = tmp_path / "001_quotes.txt"
    seed.write_text(
        "A title\n\n“We will win,” Vladimir Putin said on Monday.\n\n"
        "“First part,” Lavrov said, “second part.”\n\n"
        "Sergei Lavrov said: “We are ready, we keep fighting, building, noting that it works\n\n"
        "A paragraph ending in an opening mark “\n",
        "utf-8",
    )
    entities = json.loads((ROOT / "fixtures" / "entities.json").read_text("utf-8"))
    quotes = [(q["speaker"], q["text"]) for q in draft(seed, entities, "2015")["quotes"]]
    assert quotes == [
        ("vladimir-putin", "We will win,"),
        ("sergei-lavrov", "First part,"),
        ("sergei-lavrov", "second part."),
        ("sergei-lavrov", "We are ready, we keep fighting, building"),
    ]


@pytest.mark.parametrize("bad", ["2015-9", "15-09", "2015-13", "September 2015"])
def test_a_malformed_date_is_refused_by_the_command_line(
    bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["draft", str(SEED), "--date", bad])
    assert exited.value.code == 2
    assert "is not YYYY, YYYY-MM or YYYY-MM-DD" in capsys.readouterr().err
