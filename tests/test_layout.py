"""The layers: api.model <- api.build <- api.web, imports running one way only.

- ``api.model`` (models, fixture records, the catalog, the table layout, errors) imports no web
  framework and nothing from the build or the service;
- ``api.build`` (inputs, checks, resolve, schemas, the writer) imports the model, never the
  service, and building a database loads no Litestar;
- ``api.web`` (app, edge, fast path, store, routes, OpenAPI, docs, server) may use both.

``api.settings`` and ``api.revision`` are shared by every layer; ``api.__main__`` (the CLI) sits
above them all.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from api.settings import ROOT

PACKAGE = ROOT / "api"
#: The rank of each part: a module may import only from parts of its own rank or below.
RANKS = {"api.settings": 0, "api.revision": 0, "api.model": 0, "api.build": 1, "api.web": 2}
RANKS |= {"api.__main__": 3}
SERVICE_ONLY = ("litestar", "granian", "aiosqlite", "api.web")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def part(name: str) -> str:
    return next(prefix for prefix in RANKS if name == prefix or name.startswith(prefix + "."))


def imported(path: Path) -> set[str]:
    """Every api.* module a file imports (``from api.x import y`` counts as api.x)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            found |= {node.module} if node.module != "api" else set(names)
    return {name for name in found if name.startswith("api.")}


def test_every_module_belongs_to_a_part() -> None:
    modules = [module_name(path) for path in PACKAGE.rglob("*.py")]
    assert {part(name) for name in modules if name != "api"} == set(RANKS)


def test_imports_run_one_way() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = module_name(path)
        if own == "api":
            continue
        for name in imported(path):
            if RANKS[part(name)] > RANKS[part(own)]:
                upward.append(f"{own} imports {name}")
    assert not upward, upward


def loaded_after(code: str, forbidden: tuple[str, ...] = SERVICE_ONLY) -> list[str]:
    """The ``forbidden`` modules a fresh interpreter has loaded after running ``code``."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    modules = json.loads(result.stdout.splitlines()[-1])
    return [m for m in modules if any(m == s or m.startswith(s + ".") for s in forbidden)]


def test_building_the_database_loads_no_litestar(tmp_path: Path) -> None:
    code = (
        "from api.build import build\nfrom api.settings import Settings\n"
        f"print(build(Settings(database=__import__('pathlib').Path({str(tmp_path)!r}) / 'f.db')))"
    )
    assert loaded_after(code) == []
    assert (tmp_path / "f.db").exists()


@pytest.mark.parametrize(
    "module", sorted(module_name(path) for path in (PACKAGE / "model").glob("*.py"))
)
def test_the_model_loads_neither_the_web_framework_nor_the_build(module: str) -> None:
    assert loaded_after(f"import {module}", (*SERVICE_ONLY, "api.build")) == []
