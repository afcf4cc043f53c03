"""A real database built from the real fixtures, and an in-process client over the real app."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.build import build
from api.settings import Settings


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(database=tmp_path_factory.mktemp("db") / "facts.sqlite")
    build(settings)
    return settings


@pytest.fixture(scope="session")
def client(settings: Settings) -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(settings)) as client:
        yield client


@pytest.fixture(scope="session")
def article_text(settings: Settings) -> str:
    return (settings.seeds / "000_dc61a9fdc031304e.txt").read_text(encoding="utf-8")


def fixture_json(settings: Settings) -> dict[str, Any]:
    """Every fixture file, decoded to plain JSON, by file name."""
    return {
        path.name: msgspec.json.decode(path.read_bytes())
        for path in sorted(Path(settings.fixtures).glob("*.json"))
    }
