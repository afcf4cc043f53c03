"""A real database built from the real fixtures, and an in-process client over the real app."""

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from api.build import build
from api.settings import Settings
from api.web.app import create_app
from tests.live import Service


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # In-process apps log nothing per request (tests/test_operations.py reads the log itself).
    folder = tmp_path_factory.mktemp("db")
    settings = Settings(database=folder / "facts.sqlite", log_level="warning")
    build(settings)
    return settings


@pytest.fixture(scope="session")
def client(settings: Settings) -> Iterator[TestClient[Any]]:
    """The in-process client; it asks for unencoded bodies (httpx asks for gzip and br by
    default), as the tests of bodies and lengths read them: tests/test_compression.py
    negotiates codings itself."""
    with TestClient(app=create_app(settings)) as client:
        client.headers["accept-encoding"] = "identity"
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


@pytest.fixture(scope="session")
def document(client: TestClient[Any]) -> dict[str, Any]:
    """The OpenAPI document the service publishes."""
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    return body


def operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every operation of the document by path template (the API is read-only: each is a GET)."""
    assert all(item.keys() == {"get"} for item in document["paths"].values())
    return {path: item["get"] for path, item in document["paths"].items()}


@pytest.fixture(scope="session")
def live_server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m api serve` on a free port of 127.0.0.1; yields its base URL."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    with Service.start({"ARTICLE_FACTS_DB": str(settings.database)}, log) as service:
        yield service.base


ServiceFactory = Callable[..., AbstractContextManager[Service]]


@pytest.fixture
def serve(settings: Settings, tmp_path: Path) -> ServiceFactory:
    """Start `python -m api serve` with settings (ARTICLE_FACTS_* variables, the test database
    unless given) and workers of a test's choosing: ``with serve(workers=2) as service:``."""

    def start(workers: int = 1, **env: str) -> AbstractContextManager[Service]:
        env = {"ARTICLE_FACTS_DB": str(settings.database), **env}
        return Service.start(env, tmp_path / f"server-{time.monotonic_ns()}.log", workers)

    return start


#: Requests the generated tests sent, by run (in-process and live schemathesis, laws, matrix).
GENERATED: pytest.StashKey[dict[str, int]] = pytest.StashKey()


@pytest.fixture(scope="session")
def generated_requests(pytestconfig: pytest.Config) -> dict[str, int]:
    """A tally the contract and property tests add their request counts to."""
    return pytestconfig.stash.setdefault(GENERATED, {})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses a server started as a process is a `live` test, wherever it is."""
    for item in items:
        if {"live_server", "serve"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.live)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist a worker hands its tally to the controller, which prints the summary."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["generated"] = session.config.stash.get(GENERATED, {})


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    tally = node.config.stash.setdefault(GENERATED, {})
    for run, count in node.workeroutput.get("generated", {}).items():
        tally[run] = tally.get(run, 0) + count


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    tally = config.stash.get(GENERATED, {})
    if tally:
        terminalreporter.section("generated requests")
        for run, count in sorted(tally.items()):
            terminalreporter.write_line(f"{run}: {count}")
        terminalreporter.write_line(f"total: {sum(tally.values())}")


def spans(value: Any) -> Iterator[dict[str, Any]]:
    """Every evidence object anywhere in a decoded JSON response."""
    if isinstance(value, dict):
        if value.keys() == {"article", "start", "end", "exact"}:
            yield value
        for item in value.values():
            yield from spans(item)
    elif isinstance(value, list):
        for item in value:
            yield from spans(item)
