"""The command line and settings: python -m api build | schemas, ARTICLE_FACTS_* variables."""

from pathlib import Path

import msgspec
import pytest

from api.__main__ import main
from api.build.schemas import render
from api.model.catalog import first_day, last_day
from api.model.models import Date
from api.settings import ROOT, Settings


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
    date = Date(value=value, precision=precision)  # type: ignore[arg-type]
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
