"""`python -m api check`: every fault of every fixture in one run, each with file, pointer and a
suggestion; the build refuses by the same rules."""

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from api.__main__ import main
from api.build import build
from api.build.report import CLEAN, FAULTS, USAGE
from api.build.suggestions import DRAFT
from api.model.errors import BuildError
from api.settings import ROOT, Settings

ARTICLE = "fixtures/000_dc61a9fdc031304e.json"
ENTITIES = "fixtures/entities.json"
#: The article's events, moved to a file of their own (files are merged by the build).
EVENTS = "fixtures/000_events.json"
SPAN = re.compile(r"\[(\d+):(\d+)\]")
LINE = re.compile(r"^(?P<file>[^:]+):(?P<pointer>[^:]*): (?P<fault>.+?)(?: — (?P<hint>.+))?$")
Data = dict[str, Any]


@pytest.fixture
def copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A copy of seeds/ and fixtures/ (the events in a file of their own), which the command
    line is pointed at."""
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copytree(ROOT / "fixtures", tmp_path / "fixtures")
    settings = Settings(
        seeds=tmp_path / "seeds", fixtures=tmp_path / "fixtures", database=tmp_path / "f.sqlite"
    )
    events = {"events": read(settings, ARTICLE).pop("events")}
    edit(settings, ARTICLE, lambda data: data.pop("events"))
    write(settings, EVENTS, events)
    monkeypatch.setenv("ARTICLE_FACTS_SEEDS", str(settings.seeds))
    monkeypatch.setenv("ARTICLE_FACTS_FIXTURES", str(settings.fixtures))
    return settings


def path_of(settings: Settings, name: str) -> Path:
    return settings.fixtures / name.removeprefix("fixtures/")


def read(settings: Settings, name: str) -> Data:
    data: Data = json.loads(path_of(settings, name).read_text("utf-8"))
    return data


def write(settings: Settings, name: str, data: Data) -> None:
    path_of(settings, name).write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")


def edit(settings: Settings, name: str, mutate: Callable[[Data], Any]) -> None:
    data = read(settings, name)
    mutate(data)
    write(settings, name, data)


def text_of(settings: Settings) -> str:
    return next(settings.seeds.glob("*.txt")).read_text("utf-8")


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[tuple[str, str], Any]]:
    """Runs ``check``; its exit status and its faults by (file, pointer), each a match of LINE."""
    status = main(["check", *args])
    lines = capsys.readouterr().out.splitlines()
    matches = [LINE.match(line) for line in lines]
    assert all(matches), lines
    return status, {(m["file"], m["pointer"]): m for m in matches if m is not None}


def resolve(data: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        data = data[int(token)] if isinstance(data, list) else data[token]
    return data


def test_the_committed_fixtures_check_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == CLEAN
    out, err = capsys.readouterr()
    assert out == ""
    assert "0 faults" in err


def test_one_run_reports_every_fault_of_every_file_with_a_suggestion(
    copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    article, entities, events = (read(copy, name) for name in (ARTICLE, ENTITIES, EVENTS))
    span = article["quotes"][0]["evidence"][0]
    speaker = article["quotes"][1]["speaker"]
    child = next(i for i, o in enumerate(entities["organisations"]) if o.get("parent"))
    parent = entities["organisations"][child]["parent"]
    kind = events["events"][1]["kind"]

    def break_article(data: Data) -> None:
        shifted = data["quotes"][0]["evidence"][0]
        shifted.update(start=shifted["start"] + 3, end=shifted["end"] + 3)
        data["quotes"][1]["speaker"] = speaker[:-1]  # misspelt

    def break_entities(data: Data) -> None:
        data["organisations"][child]["parent"] = parent + "x"
        del data["people"][0]["name"]  # a required field

    def break_events(data: Data) -> None:
        data["events"][0]["draft"] = True
        data["events"][1]["kind"] = kind + "x"  # not in the enum

    edit(copy, ARTICLE, break_article)
    edit(copy, ENTITIES, break_entities)
    edit(copy, EVENTS, break_events)

    status, faults = check(capsys)
    assert status == FAULTS
    assert set(faults) == {  # each fault once, where it is, and nothing that follows from it
        (ARTICLE, "/quotes/0/evidence/0/exact"),
        (ARTICLE, "/quotes/1/speaker"),
        (ENTITIES, f"/organisations/{child}/parent"),
        (ENTITIES, "/people/0"),
        (EVENTS, "/events/0"),
        (EVENTS, "/events/1/kind"),
    }
    shifted = faults[(ARTICLE, "/quotes/0/evidence/0/exact")]
    assert SPAN.findall(shifted["hint"]) == [(str(span["start"]), str(span["end"]))]
    assert repr(speaker) in faults[(ARTICLE, "/quotes/1/speaker")]["hint"]
    assert repr(parent) in faults[(ENTITIES, f"/organisations/{child}/parent")]["hint"]
    assert "`name`" in faults[(ENTITIES, "/people/0")]["fault"]
    assert faults[(EVENTS, "/events/0")]["hint"] == DRAFT
    assert repr(kind) in faults[(EVENTS, "/events/1/kind")]["hint"]
    for (name, pointer), _ in faults.items():
        resolve(read(copy, name), pointer)  # every pointer points into its file


def test_the_build_refuses_by_the_same_faults(
    copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(copy, ARTICLE, lambda data: data["quotes"][1].update(speaker="nobody"))
    edit(copy, EVENTS, lambda data: data["events"][0].update(draft=True))
    with pytest.raises(BuildError) as refused:
        build(copy)
    _, faults = check(capsys)
    assert {(fault.file, fault.pointer) for fault in refused.value.faults} == set(faults)
    assert (refused.value.file, refused.value.location) == (ARTICLE, "$.quotes[1].speaker")


def test_words_typed_with_plain_marks_are_found_where_the_article_has_typographic_ones(
    copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    article = read(copy, ARTICLE)
    where, span = next(
        (f"/{name}/{index}/evidence/0/exact", record["evidence"][0])
        for name in ("quotes", "statistics", "statements")
        for index, record in enumerate(article[name])
        if "\u2019" in record["evidence"][0]["exact"]
    )
    plain = span["exact"].replace("\u2019", "'")
    span["exact"] = plain
    write(copy, ARTICLE, article)

    _, faults = check(capsys, str(path_of(copy, ARTICLE)))
    start, end = (int(at) for at in SPAN.findall(faults[(ARTICLE, where)]["hint"])[-1])
    assert text_of(copy)[start:end].replace("\u2019", "'") == plain


def test_a_file_that_is_not_json_is_one_fault_at_its_line_and_the_others_are_still_checked(
    copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["{", '  "events": [,]', "}"]
    path_of(copy, EVENTS).write_text("\n".join(lines), "utf-8")
    edit(copy, ARTICLE, lambda data: data["meetings"][0]["start"].update(precision="month"))
    status, faults = check(capsys)
    assert status == FAULTS
    stopped = f"line 2, column {lines[1].index(',') + 1}"
    assert set(faults) == {(EVENTS, stopped), (ARTICLE, "/meetings/0/start")}


def test_json_lines_carry_the_same_faults(
    copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(copy, EVENTS, lambda data: data["events"][0].update(draft=True, kind="nothing"))
    edit(copy, ENTITIES, lambda data: data["people"][0].update(country="nowhere"))
    _, faults = check(capsys)
    assert main(["check", "--json"]) == FAULTS
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {(line["file"], line["pointer"]) for line in lines} == set(faults)
    for line in lines:
        shown = faults[(line["file"], line["pointer"])]
        assert (line["fault"], line["suggestion"] or None) == (shown["fault"], shown["hint"])


def test_named_files_narrow_the_report_and_a_file_elsewhere_is_a_usage_error(
    copy: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    edit(copy, EVENTS, lambda data: data["events"][0].update(draft=True))
    edit(copy, ENTITIES, lambda data: data["people"][0].update(country="nowhere"))
    status, faults = check(capsys, str(path_of(copy, ENTITIES)))
    assert status == FAULTS
    assert {name for name, _ in faults} == {ENTITIES}
    assert check(capsys, str(path_of(copy, ARTICLE))) == (CLEAN, {})
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("{}", "utf-8")
    assert main(["check", str(elsewhere)]) == USAGE
    assert main(["check", str(tmp_path / "missing.json")]) == USAGE
