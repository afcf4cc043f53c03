"""Safety: the database is read-only, and failures never show internals to a client."""

import asyncio
import sqlite3
from typing import Any

import pytest
from litestar.testing import TestClient

from api.settings import Settings
from api.web.app import create_app
from api.web.store import Store


def test_the_store_cannot_write(settings: Settings) -> None:
    async def attempt() -> None:
        store = await Store.open(settings.database)
        try:
            await store._db.execute("delete from quotes")
        finally:
            await store.close()

    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        asyncio.run(attempt())


def test_an_unexpected_failure_is_a_500_problem_without_internals(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = f"no such table: quotes_v0 in {settings.database}"

    async def broken(*_: Any) -> bytes:
        raise sqlite3.OperationalError(secret)

    monkeypatch.setattr(Store, "body", broken)
    with TestClient(app=create_app(settings)) as client:
        response = client.get("/v1/quotes/anything")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert secret not in response.text
    assert "Traceback" not in response.text
    assert str(settings.database) not in response.text
