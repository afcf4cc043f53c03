"""The build: validation with file and location, atomic writes, a reproducible version."""

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from api.build import build, is_fresh
from api.model import downloads
from api.model.catalog import RESOURCES
from api.model.errors import BuildError, NotFound
from api.settings import ROOT, Settings
from api.web.resources.downloads import Shelf

ARTICLE_FILE = "000_dc61a9fdc031304e.json"
Mutation = Callable[[dict[str, Any]], None]


@pytest.fixture
def workspace(tmp_path: Path) -> Settings:
    """A copy of seeds/ and fixtures/ with a database already built from them."""
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copytree(ROOT / "fixtures", tmp_path / "fixtures")
    settings = Settings(
        seeds=tmp_path / "seeds",
        fixtures=tmp_path / "fixtures",
        database=tmp_path / "build" / "facts.sqlite",
    )
    build(settings)
    return settings


def edit(settings: Settings, name: str, mutate: Mutation) -> None:
    path = settings.fixtures / name
    data = json.loads(path.read_text(encoding="utf-8"))
    mutate(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def first_quote_span(data: dict[str, Any]) -> dict[str, Any]:
    span: dict[str, Any] = data["quotes"][0]["evidence"][0]
    return span


def set_span(**values: Any) -> Mutation:
    return lambda data: first_quote_span(data).update(values)


def written(settings: Settings) -> dict[str, bytes]:
    """Every file beside the database (the database, its downloads, their manifest)."""
    return {path.name: path.read_bytes() for path in settings.database.parent.iterdir()}


def test_building_twice_gives_the_same_version(workspace: Settings) -> None:
    assert build(workspace).version == build(workspace).version


def test_one_changed_character_changes_the_version(workspace: Settings) -> None:
    before = build(workspace).version
    path = workspace.fixtures / "entities.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"Armenia"', '"Armenia "', 1), encoding="utf-8")
    assert build(workspace).version != before


def test_a_built_database_is_fresh_until_an_input_changes(workspace: Settings) -> None:
    assert is_fresh(workspace)
    (workspace.seeds / "000_dc61a9fdc031304e.txt").write_text("changed", encoding="utf-8")
    assert not is_fresh(workspace)


def test_a_built_database_is_stale_when_the_code_changes(
    workspace: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert is_fresh(workspace)
    monkeypatch.setattr("api.build.code_digest", lambda: "other code")
    assert not is_fresh(workspace)
    build(workspace)
    assert is_fresh(workspace)


CASES: list[tuple[str, str, Mutation | None, str, str]] = [
    # (kind, file, mutation, expected location, expected words in the message)
    ("malformed file", ARTICLE_FILE, None, "line 1, column 2", "malformed"),
    (
        "wrong type",
        ARTICLE_FILE,
        set_span(start="12"),
        "$.quotes[0].evidence[0].start",
        "Expected `int`",
    ),
    (
        "unknown key",
        ARTICLE_FILE,
        lambda data: data["quotes"][0].update(colour="red"),
        "$.quotes[0]",
        "unknown field `colour`",
    ),
    (
        "missing reference",
        ARTICLE_FILE,
        lambda data: data["quotes"][0].update(speaker="nobody-at-all"),
        "$.quotes[0].speaker",
        "'nobody-at-all' is not a known person",
    ),
    (
        "duplicate id",
        ARTICLE_FILE,
        lambda data: data["quotes"].append(data["quotes"][0]),
        "$.quotes[6].id",
        "duplicate id",
    ),
    (
        "span text that does not match",
        ARTICLE_FILE,
        lambda data: first_quote_span(data).update(exact=first_quote_span(data)["exact"] + "!"),
        "$.quotes[0].evidence[0].exact",
        "does not match the text",
    ),
    (
        "end before start",
        ARTICLE_FILE,
        set_span(start=50, end=40),
        "$.quotes[0].evidence[0].end",
        "is not after start",
    ),
    (
        "span beyond the text",
        ARTICLE_FILE,
        set_span(end=10**6),
        "$.quotes[0].evidence[0].end",
        "beyond the text",
    ),
    (
        "unknown article",
        ARTICLE_FILE,
        set_span(article="no-such-article"),
        "$.quotes[0].evidence[0].article",
        "unknown article 'no-such-article'",
    ),
    (
        "date inconsistent with its precision",
        ARTICLE_FILE,
        lambda data: data["meetings"][0]["start"].update(precision="month"),
        "$.meetings[0].start",
        "does not have month precision",
    ),
    (
        "fact without evidence",
        ARTICLE_FILE,
        lambda data: data["members"][0].update(evidence=[]),
        "$.members[0].evidence",
        "at least one evidence span",
    ),
    (
        "quote text that is none of its spans",
        ARTICLE_FILE,
        lambda data: data["quotes"][0].update(text="Words nobody said."),
        "$.quotes[0].text",
        "not the exact of any",
    ),
    (
        "range without an upper value",
        ARTICLE_FILE,
        lambda data: data["statistics"][0].update(qualifier="range"),
        "$.statistics[0].value_max",
        "exactly when the qualifier is 'range'",
    ),
    (
        "range upside down",
        ARTICLE_FILE,
        lambda data: data["statistics"][1].update(qualifier="range", value_max=-1),
        "$.statistics[1].value_max",
        "below value",
    ),
    (
        "bounds that do not contain the stated value",
        ARTICLE_FILE,
        lambda data: data["statistics"][1]["bounds"].update(min=3100),
        "$.statistics[1].bounds",
        "do not contain the stated value 3000",
    ),
    (
        "a value left out by a number the text states",
        ARTICLE_FILE,
        lambda data: data["statistics"][1].pop("value"),
        "$.statistics[1].value",
        "only 'multiples_of' may leave the value out",
    ),
    (
        "meeting ending before it starts",
        ARTICLE_FILE,
        lambda data: data["meetings"][0].update(end={"value": "2015-01-01", "precision": "day"}),
        "$.meetings[0].end",
        "end is before start",
    ),
    (
        "organisation that is its own parent",
        "entities.json",
        lambda data: data["organisations"][0].update(parent=data["organisations"][0]["id"]),
        "$.organisations[0].parent",
        "its own parent",
    ),
    (
        "article whose seed file is missing",
        ARTICLE_FILE,
        lambda data: data["articles"][0].update(source="missing.txt"),
        "$.articles[0].source",
        "not found in seeds/",
    ),
    (
        "impossible calendar date",
        ARTICLE_FILE,
        lambda data: data["meetings"][0]["start"].update(value="2015-02-30", precision="day"),
        "$.meetings[0].start",
        "day is out of range",
    ),
    (
        "unknown basis",
        ARTICLE_FILE,
        lambda data: data["statements"][0]["speaker"]["basis"].update(basis="rumoured"),
        "$.statements[0].speaker.basis.basis",
        "Invalid enum value 'rumoured'",
    ),
    (
        "attributed without attributed_to",
        ARTICLE_FILE,
        lambda data: data["statements"][0]["speaker"].update(basis={"basis": "attributed"}),
        "$.statements[0].speaker.basis.attributed_to",
        "exactly when the basis is 'attributed'",
    ),
    (
        "attributed_to on a stated relation",
        ARTICLE_FILE,
        lambda data: data["events"][0]["actors"][0]["basis"].update(attributed_to="russia"),
        "$.events[0].actors[0].basis.attributed_to",
        "exactly when the basis is 'attributed'",
    ),
    (
        "inferred without a note",
        ARTICLE_FILE,
        lambda data: data["statements"][0].update(date_basis={"basis": "inferred"}),
        "$.statements[0].date_basis.note",
        "needs a note",
    ),
    (
        "event that ends before it starts",
        ARTICLE_FILE,
        lambda data: next(e for e in data["events"] if "end" in e).update(
            end={"value": "1990", "precision": "year"}
        ),
        "$.events[0].end",
        "end is before start",
    ),
    (
        "statement speaker that is no party",
        ARTICLE_FILE,
        lambda data: data["statements"][0]["speaker"].update(who="no-such-party"),
        "$.statements[0].speaker.who",
        "is not a known organisation or person or country or meeting id",
    ),
]


@pytest.mark.parametrize(
    ("kind", "name", "mutate", "location", "words"), CASES, ids=[case[0] for case in CASES]
)
def test_a_bad_fixture_stops_the_build_and_keeps_the_database(
    workspace: Settings, kind: str, name: str, mutate: Mutation | None, location: str, words: str
) -> None:
    before = written(workspace)
    if mutate is None:
        (workspace.fixtures / name).write_text("{,}", encoding="utf-8")
    else:
        edit(workspace, name, mutate)
    with pytest.raises(BuildError) as caught:
        build(workspace)
    assert caught.value.file == f"fixtures/{name}"
    assert caught.value.location == location
    assert words in caught.value.detail
    assert written(workspace) == before


def test_the_command_line_names_file_and_location_and_fails(workspace: Settings) -> None:
    edit(workspace, ARTICLE_FILE, set_span(end=10**6))
    result = subprocess.run(
        [sys.executable, "-m", "api", "build"],
        env={
            "ARTICLE_FACTS_FIXTURES": str(workspace.fixtures),
            "ARTICLE_FACTS_SEEDS": str(workspace.seeds),
            "ARTICLE_FACTS_DB": str(workspace.database),
        },
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert f"fixtures/{ARTICLE_FILE}: $.quotes[0].evidence[0].end:" in result.stderr


def test_a_fact_cannot_mix_evidence_from_two_articles(workspace: Settings) -> None:
    (workspace.seeds / "001_second.txt").write_text("A second article about Armenia.", "utf-8")
    second = {
        "id": "second-article",
        "title": "A second article about Armenia.",
        "source": "001_second.txt",
        "date": {"value": "2015-10", "precision": "month"},
        "evidence": [
            {
                "article": "second-article",
                "start": 0,
                "end": 31,
                "exact": "A second article about Armenia.",
            }
        ],
    }
    (workspace.fixtures / "001_second.json").write_text(json.dumps({"articles": [second]}), "utf-8")
    assert build(workspace).counts["articles"] == 2

    def mix(data: dict[str, Any]) -> None:
        data["members"][0]["evidence"].append(
            {"article": "second-article", "start": 23, "end": 30, "exact": "Armenia"}
        )

    edit(workspace, ARTICLE_FILE, mix)
    with pytest.raises(BuildError, match="must come from one article"):
        build(workspace)


def test_the_build_writes_both_downloads_and_their_manifest_last(workspace: Settings) -> None:
    version = build(workspace).version
    manifest = downloads.read(workspace.database)
    assert manifest is not None
    assert manifest.version == version
    folder = workspace.database.parent
    names = {file.name for file in manifest.files}
    assert names == {f"article-facts-{version}.sqlite", f"article-facts-{version}.ndjson"}
    assert set(written(workspace)) == {*names, "facts.sqlite", "facts.sqlite.downloads.json"}
    for file in manifest.files:
        data = (folder / file.name).read_bytes()
        assert (file.size, file.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        assert file.href == f"/v1/downloads/{file.name}"
    assert (folder / f"article-facts-{version}.sqlite").read_bytes() == (
        workspace.database.read_bytes()
    )
    lines = (folder / f"article-facts-{version}.ndjson").read_bytes().splitlines()
    dumped = [json.loads(line) for line in lines]
    connection = sqlite3.connect(workspace.database)
    try:
        for resource in RESOURCES:
            query = f"select id from {resource.name} order by id"  # noqa: S608
            ids = [row[0] for row in connection.execute(query)]
            mine = [line["record"]["id"] for line in dumped if line["resource"] == resource.name]
            assert mine == ids, resource.name
            kinds = {line["type"] for line in dumped if line["resource"] == resource.name}
            assert kinds == {resource.noun}
    finally:
        connection.close()


def test_a_build_that_fails_while_writing_the_dump_keeps_everything(
    workspace: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = written(workspace)
    (workspace.fixtures / "entities.json").write_text(
        (workspace.fixtures / "entities.json").read_text().replace('"Armenia"', '"Armenia "', 1)
    )

    def half_then_full_disk(path: Path, corpus: Any) -> None:
        path.write_bytes(b'{"resource":"articles"')
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("api.build.dump.write", half_then_full_disk)
    with pytest.raises(OSError, match="No space left"):
        build(workspace)
    assert written(workspace) == before


def test_a_new_version_replaces_the_old_versions_downloads(workspace: Settings) -> None:
    old = downloads.read(workspace.database)
    assert old is not None
    edit(workspace, ARTICLE_FILE, lambda data: data["quotes"].pop())
    new = build(workspace).version
    assert new != old.version
    assert all(f"-{new}." in name or "-" not in name for name in written(workspace))
    assert not any((workspace.database.parent / file.name).exists() for file in old.files)


def test_a_missing_download_makes_the_database_stale(workspace: Settings) -> None:
    assert is_fresh(workspace)
    manifest = downloads.read(workspace.database)
    assert manifest is not None
    (workspace.database.parent / manifest.files[1].name).unlink()
    assert not is_fresh(workspace)
    build(workspace)
    assert is_fresh(workspace)


def test_a_server_does_not_serve_a_download_a_later_build_replaced(
    workspace: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    version = build(workspace).version
    shelf = Shelf.beside(workspace.database, version)
    name = f"article-facts-{version}.sqlite"
    assert shelf.find(name)[0].name == name
    monkeypatch.setattr("api.build.code_digest", lambda: "other code")
    assert build(workspace).version == version  # same dataset, other bytes (its code)
    with pytest.raises(NotFound):
        shelf.find(name)
