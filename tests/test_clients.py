"""Integration by other services: the served document through real generators and linters.

Against the live server on 127.0.0.1: Spectral (spectral:oas) and Redocly (recommended) find no
error and no warning; openapi-python-client and @hey-api/openapi-ts generate clients that
type-check strictly (mypy --strict, tsc --strict) together with a scenario each
(clients/scenario.py, clients/scenario.ts), and the scenarios run against the server. The tools
are pinned: the Python one in requirements.lock, the npm ones in clients/package-lock.json
(installed by `make clients`). Generated code goes to a temporary folder and is never committed.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import msgspec
import pytest

from api.settings import ROOT
from api.web.openapi import SOMETIMES_SENT

pytestmark = pytest.mark.live
CLIENTS = ROOT / "clients"
BIN = CLIENTS / "node_modules" / ".bin"
VENV_BIN = Path(sys.executable).parent


def expected(base: str) -> list[str]:
    """What each scenario must print, step by step, read from the service's own JSON."""

    def get(path: str) -> Any:
        with urllib.request.urlopen(base + path) as response:
            return msgspec.json.decode(response.read())

    filtered = [quote["id"] for quote in get("/v1/quotes?speaker=vladimir-putin")["data"]]
    quote = get(f"/v1/quotes/{filtered[0]}")
    countries = get("/v1")["counts"]["countries"]
    hits = sorted({hit["type"] for hit in get("/v1/search?q=jihadi+recruitment")["data"]})
    return [
        f"filtered: {json.dumps(filtered)}",
        f"paged: {countries} countries, {countries} distinct, total {countries}",
        f"item: {quote['id']} by {quote['speaker']['name']}, {len(quote['evidence'])} spans",
        "404: 404 Not Found",
        '400: 400 ["limit"]',
        f"search: {json.dumps(hits)}",
        "text: true",
        "conditional: 200 then 304",
    ]


def run(argv: list[str], cwd: Path, **env: str) -> str:
    path = f"{BIN}{os.pathsep}{VENV_BIN}{os.pathsep}{os.environ['PATH']}"
    done = subprocess.run(
        argv,
        cwd=cwd,
        env={**os.environ, "PATH": path, "NO_COLOR": "1", **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{argv}:\n{done.stdout[-8000:]}\n{done.stderr[-8000:]}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def served(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert (BIN / "openapi-ts").exists(), "make test installs clients/node_modules (make clients)"
    path = tmp_path_factory.mktemp("document") / "openapi.json"
    with urllib.request.urlopen(f"{live_server}/schema/openapi.json") as response:
        path.write_bytes(response.read())
    return path


def test_spectral_finds_nothing(served: Path) -> None:
    out = run(["spectral", "lint", str(served), "--fail-severity=hint"], CLIENTS)
    assert "No results with a severity of 'hint' or higher found!" in out


def test_redocly_recommended_finds_no_error_and_no_warning(served: Path) -> None:
    out = run(["redocly", "lint", str(served), "--format=summary"], CLIENTS)
    assert not re.search(
        r"\d+ (errors?|warnings?)", out.replace("0 errors", "").replace("0 warnings", "")
    )


def test_the_python_client_type_checks_and_runs_the_scenario(
    served: Path, live_server: str, tmp_path: Path
) -> None:
    package = tmp_path / "article_facts_api_client"
    generate = ["openapi-python-client", "generate", "--path", str(served), "--meta", "none"]
    config = ["--config", str(CLIENTS / "python-client.yaml")]
    run([*generate, "--output-path", str(package), *config], tmp_path)
    shutil.copy(CLIENTS / "scenario.py", tmp_path)
    # The whole records; a ``…Fields`` model is a sparse one (``fields=``), optional by design.
    whole = [p for p in (package / "models").glob("*.py") if not p.stem.endswith("_fields")]
    models = "\n".join(path.read_text() for path in whole)
    unset = set(re.findall(r"^    (\w+): .*\| Unset", models, re.MULTILINE))
    assert unset <= {field for fields in SOMETIMES_SENT.values() for field in fields}
    index = (package / "models" / "index.py").read_text()
    assert re.search(r"^    collections: Collections$", index, re.MULTILINE)
    assert re.search(r"^    counts: Counts$", index, re.MULTILINE)
    mypy = [sys.executable, "-m", "mypy", "--config-file", str(CLIENTS / "mypy.ini")]
    run([*mypy, "scenario.py", "article_facts_api_client"], tmp_path)
    out = run([sys.executable, "scenario.py", live_server], tmp_path)
    assert out.splitlines() == expected(live_server)


def test_the_typescript_client_type_checks_and_runs_the_scenario(
    served: Path, live_server: str
) -> None:
    for folder in ("client", "build"):
        shutil.rmtree(CLIENTS / folder, ignore_errors=True)
    run(["openapi-ts", "-i", str(served), "-o", "client", "-c", "@hey-api/client-fetch"], CLIENTS)
    types = (CLIENTS / "client" / "types.gen.ts").read_text()
    shadowing = {"Date", "Error", "Object", "Array", "String", "Number", "Map", "Set", "Promise"}
    exported = set(re.findall(r"^export type (\w+) =", types, re.MULTILINE))
    assert not exported & shadowing, "a generated type shadows a JavaScript global"
    run(["tsc", "-p", "tsconfig.json"], CLIENTS)
    out = run(["node", "build/scenario.js", live_server], CLIENTS)
    assert out.splitlines() == expected(live_server)
