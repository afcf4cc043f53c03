"""The command line and settings: python -m api build | schemas, ARTICLE_FACTS_* variables."""

import sqlite3
from pathlib import Path
from typing import Any

import msgspec
import pytest

from api.__main__ import main
from api.build.schemas import render
from api.model.catalog import first_day, last_day
from api.model.models import CalendarDate
from api.settings import ROOT, Settings
from api.web import preflight


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "facts.sqlite"
    monkeypatch.setenv("ARTICLE_FACTS_DB", str(path))
    return path


def test_build_writes_the_database_and_reports_counts(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build"]) == 0
    assert database.exists()
    assert "quotes 6" in capsys.readouterr().out


def test_build_if_stale_does_nothing_when_fresh(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build"]) == 0
    before = database.stat().st_mtime_ns
    capsys.readouterr()
    assert main(["build", "--if-stale"]) == 0
    assert database.stat().st_mtime_ns == before
    assert capsys.readouterr().out == ""


def _stale(path: Path) -> None:
    """Built, then marked as built by other code."""
    assert main(["build"]) == 0
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("update meta set value = 'other' where key = 'code'")
    connection.close()


@pytest.mark.parametrize(
    ("make", "code", "words"),
    [
        (lambda path: None, preflight.MISSING, "no database at"),
        (lambda path: path.mkdir(), preflight.UNREADABLE, "is a directory"),
        (lambda path: path.write_bytes(b"not sqlite " * 1000), preflight.CORRUPT, "not a database"),
        (_stale, preflight.STALE, "another version of the code"),
    ],
    ids=["missing", "directory", "corrupt", "stale"],
)
def test_serve_refuses_a_database_it_cannot_serve_in_one_line_and_never_writes_it(
    database: Path, capsys: pytest.CaptureFixture[str], make: Any, code: int, words: str
) -> None:
    make(database)
    before = sorted(p.name for p in database.parent.iterdir())
    content = database.read_bytes() if database.is_file() else None
    capsys.readouterr()
    assert main(["serve", "--port", "1"]) == code
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert error.startswith("cannot serve: ")
    assert words in error
    assert str(database) in error
    assert "python -m api build" in error or code == preflight.UNREADABLE
    assert sorted(p.name for p in database.parent.iterdir()) == before
    assert (database.read_bytes() if database.is_file() else None) == content


def test_the_exit_codes_of_serve_are_distinct_and_documented() -> None:
    codes = [preflight.MISSING, preflight.UNREADABLE, preflight.CORRUPT, preflight.STALE]
    assert len(set(codes)) == len(codes)
    assert not {1, 2} & set(codes)  # a failed build, argparse's usage error
    readme = (ROOT / "README.md").read_text()
    for code in codes:
        assert f"| {code} |" in readme


def test_build_names_a_database_path_it_cannot_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("ARTICLE_FACTS_DB", str(blocker / "facts.sqlite"))
    assert main(["build"]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"build failed: cannot write {blocker / 'facts.sqlite'}")
    assert error.count("\n") == 1


def test_schemas_check_passes_on_the_committed_schemas() -> None:
    assert main(["schemas", "--check"]) == 0


def test_settings_come_from_the_environment_when_asked() -> None:
    settings = Settings.from_env(
        {"ARTICLE_FACTS_DB": "/tmp/x.sqlite", "ARTICLE_FACTS_MAX_AGE": "7"}
    )
    assert settings.database == Path("/tmp/x.sqlite")
    assert settings.max_age == 7
    assert settings.fixtures == ROOT / "fixtures"
    assert Settings.from_env({}) == Settings()


@pytest.mark.parametrize(
    ("value", "precision", "first", "last"),
    [
        ("2015-09-14", "day", "2015-09-14", "2015-09-14"),
        ("2016-02", "month", "2016-02-01", "2016-02-29"),
        ("2015-12", "month", "2015-12-01", "2015-12-31"),
        ("2015", "year", "2015-01-01", "2015-12-31"),
    ],
)
def test_a_date_spans_the_days_its_precision_allows(
    value: str, precision: str, first: str, last: str
) -> None:
    date = CalendarDate(value=value, precision=precision)  # type: ignore[arg-type]
    assert (first_day(date), last_day(date)) == (first, last)


def test_an_unknown_date_sorts_first_and_spans_everything() -> None:
    assert (first_day(None), last_day(None)) == ("", "9999-12-31")


def test_schema_descriptions_do_not_depend_on_how_a_docstring_is_indented() -> None:
    class Indented(msgspec.Struct):
        """One line.

        A second paragraph,
            wrapped and indented.
        """

    class Flush(msgspec.Struct):
        pass

    Flush.__name__ = Indented.__name__
    Flush.__doc__ = "One line.\n\nA second paragraph, wrapped and indented."
    rendered = render(Indented)
    assert rendered == render(Flush)
    assert b'"One line.\\n\\nA second paragraph, wrapped and indented."' in rendered
