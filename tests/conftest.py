"""A real database built from the real fixtures, and an in-process client over the real app."""

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from api.build import build
from api.settings import Settings
from api.web.app import create_app
from bench.servers import free_port


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
    port = free_port()
    env = {**os.environ, "ARTICLE_FACTS_DB": str(settings.database)}
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "api", "serve", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {log.read_text()}") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


#: Requests the generated tests sent, by run (in-process and live schemathesis, laws, matrix).
GENERATED: pytest.StashKey[dict[str, int]] = pytest.StashKey()


@pytest.fixture(scope="session")
def generated_requests(pytestconfig: pytest.Config) -> dict[str, int]:
    """A tally the contract and property tests add their request counts to."""
    return pytestconfig.stash.setdefault(GENERATED, {})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses the server started as a process is a `live` test, wherever it is."""
    for item in items:
        if "live_server" in getattr(item, "fixturenames", ()):
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
