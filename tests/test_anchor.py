"""`python -m api anchor`: evidence offsets restored from their words, in place, idempotently."""

import json
import re
import shutil
from pathlib import Path

import pytest

from api.__main__ import main
from api.build import build
from api.build.anchor import occurrences, parse
from api.settings import ROOT, Settings

ARTICLE = "000_dc61a9fdc031304e.txt"
OFFSETS = re.compile(r', "start": (\d+), "end": (\d+)')


@pytest.fixture
def copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A copy of seeds/ and fixtures/, which the command line is pointed at."""
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copytree(ROOT / "fixtures", tmp_path / "fixtures")
    monkeypatch.setenv("ARTICLE_FACTS_SEEDS", str(tmp_path / "seeds"))
    monkeypatch.setenv("ARTICLE_FACTS_FIXTURES", str(tmp_path / "fixtures"))
    return Settings(
        seeds=tmp_path / "seeds",
        fixtures=tmp_path / "fixtures",
        database=tmp_path / "facts.sqlite",
    )


def fixture_files(settings: Settings) -> dict[str, str]:
    return {path.name: path.read_text("utf-8") for path in settings.fixtures.glob("*.json")}


def unique(text: str, match: re.Match[str], source: str) -> bool:
    """Whether the span whose offsets ``match`` found has words that occur once in ``text``."""
    exact = parse(source[match.end() :].split(', "exact": ', 1)[1]).value
    return len(occurrences(text, exact)) == 1


def test_offsets_removed_where_the_words_are_unique_are_restored_exactly(
    copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    original = fixture_files(copy)
    text = (copy.seeds / ARTICLE).read_text("utf-8")
    removed = 0
    for name, source in original.items():

        def strip(match: re.Match[str], source: str = source) -> str:
            nonlocal removed
            if not unique(text, match, source):
                return match.group()
            removed += 1
            return ""

        (copy.fixtures / name).write_text(OFFSETS.sub(strip, source), "utf-8")
    assert removed > 100

    assert main(["anchor"]) == 0
    assert fixture_files(copy) == original
    assert f"anchor: {removed} spans moved, 0 refused" in capsys.readouterr().out


def test_shifted_offsets_move_to_the_nearest_occurrence_and_a_second_run_changes_nothing(
    copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    original = fixture_files(copy)
    for name, source in original.items():
        shifted = OFFSETS.sub(
            lambda m: f', "start": {int(m[1]) + 3}, "end": {int(m[2]) + 3}', source
        )
        (copy.fixtures / name).write_text(shifted, "utf-8")

    assert main(["anchor"]) == 0
    assert fixture_files(copy) == original
    capsys.readouterr()
    assert main(["anchor"]) == 0
    assert capsys.readouterr().out == "anchor: 0 spans moved, 0 refused\n"
    build(copy)  # the restored fixtures are accepted by the build


def test_ambiguous_words_without_offsets_are_refused_with_every_occurrence(
    copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (copy.seeds / ARTICLE).read_text("utf-8")
    path = copy.fixtures / "entities.json"
    source = path.read_text("utf-8")
    match = next(m for m in OFFSETS.finditer(source) if not unique(text, m, source))
    exact = parse(source[match.end() :].split(', "exact": ', 1)[1]).value
    edited = source[: match.start()] + source[match.end() :]
    path.write_text(edited, "utf-8")

    assert main(["anchor", str(path)]) == 1
    out = capsys.readouterr().out
    found = occurrences(text, exact)
    assert f"occurs {len(found)} times" in out
    for at in found:
        assert f"    {at}: …" in out
    assert path.read_text("utf-8") == edited  # nothing guessed, nothing lost


def test_words_that_are_not_in_the_article_are_refused(
    copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    path = copy.fixtures / "entities.json"
    source = path.read_text("utf-8")
    path.write_text(source.replace('"exact": "Armenia"', '"exact": "Armenija"', 1), "utf-8")

    edited = path.read_text("utf-8")
    assert main(["anchor"]) == 1
    assert "'Armenija' is not in the article" in capsys.readouterr().out
    assert path.read_text("utf-8") == edited


def test_null_offsets_count_as_missing(copy: Settings) -> None:
    text = (copy.seeds / ARTICLE).read_text("utf-8")
    path = copy.fixtures / "entities.json"
    source = path.read_text("utf-8")
    match = next(m for m in OFFSETS.finditer(source) if unique(text, m, source))
    nulled = f'{source[: match.start()]}, "start": null, "end": null{source[match.end() :]}'
    path.write_text(nulled, "utf-8")

    assert main(["anchor"]) == 0
    assert path.read_text("utf-8") == source


def test_an_inserted_offset_is_laid_out_like_its_neighbours_and_line_endings_stay(
    copy: Settings,
) -> None:
    text = (copy.seeds / ARTICLE).read_text("utf-8")
    at = text.index("Shanghai Cooperation Organization (SCO)")
    words = text[at : at + 39]
    assert len(occurrences(text, words)) == 1
    path = copy.fixtures / "extra.json"
    article = '"russia-taps-sco-and-csto-to-counter-islamic-state"'
    layout = (
        '{\r\n  "countries": [],\r\n  "x": {\r\n    "exact": %s,\r\n'
        '    "article": %s%s\r\n  }\r\n}\r\n'
    )
    path.write_bytes((layout % (json.dumps(words), article, "")).encode())

    assert main(["anchor", str(path)]) == 0
    offsets = f',\r\n    "start": {at},\r\n    "end": {at + 39}'
    assert path.read_bytes() == (layout % (json.dumps(words), article, offsets)).encode()


def test_an_end_alone_chooses_among_several_occurrences(copy: Settings) -> None:
    text = (copy.seeds / ARTICLE).read_text("utf-8")
    path = copy.fixtures / "entities.json"
    source = path.read_text("utf-8")
    match = next(m for m in OFFSETS.finditer(source) if not unique(text, m, source))
    only_end = f'{source[: match.start()]}, "end": {match[2]}{source[match.end() :]}'
    path.write_text(only_end, "utf-8")

    assert main(["anchor"]) == 0
    assert path.read_text("utf-8") == source


def test_offsets_outside_the_text_are_not_taken_for_a_match(copy: Settings) -> None:
    path = copy.fixtures / "entities.json"
    source = path.read_text("utf-8")
    match = next(OFFSETS.finditer(source))
    exact = parse(source[match.end() :].split(', "exact": ', 1)[1]).value
    text = (copy.seeds / ARTICLE).read_text("utf-8")
    negative = f', "start": {int(match[1]) - len(text)}, "end": {int(match[2]) - len(text)}'
    path.write_text(source[: match.start()] + negative + source[match.end() :], "utf-8")
    assert text[int(match[1]) - len(text) : int(match[2]) - len(text)] == exact

    assert main(["anchor"]) == 0
    assert path.read_text("utf-8") == source


def test_a_fixture_that_is_not_json_is_refused_by_name(
    copy: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    (copy.fixtures / "broken.json").write_text('{"countries": [', "utf-8")
    assert main(["anchor"]) == 1
    assert "refused: broken.json: $: not valid JSON" in capsys.readouterr().out
