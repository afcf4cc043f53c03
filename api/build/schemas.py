"""JSON Schemas of the models, written to schemas/ and published by the service.

A description comes from a docstring or a ``Meta(description=...)``, text this package controls,
but how a docstring's indentation is stripped is msgspec's choice and has changed between
releases. Every description is therefore put in one canonical form before it is written: the
paragraphs of ``inspect.cleandoc``, each on one line. The drift tests then catch changes to the
models, not to a library's whitespace.
"""

import inspect
import sys
from pathlib import Path
from typing import Any

import msgspec

from api.model import models
from api.model.catalog import RESOURCES, Index
from api.model.records import Dataset
from api.settings import ROOT

DIRECTORY = ROOT / "schemas"
PUBLISHED: dict[str, type[msgspec.Struct]] = {
    **{resource.noun: resource.model for resource in RESOURCES},
    "evidence": models.Evidence,
    "date": models.CalendarDate,
    "reference": models.Ref,
    "search-hit": models.SearchHit,
    "problem": models.Problem,
    "index": Index,
    "fixture": Dataset,
}


def canonical(text: str) -> str:
    """A description's paragraphs, each reflowed onto one line."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)


def _canonical_descriptions(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: canonical(value)
            if key == "description" and isinstance(value, str)
            else _canonical_descriptions(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_canonical_descriptions(item) for item in node]
    return node


def render(model: type[msgspec.Struct]) -> bytes:
    schema = _canonical_descriptions(msgspec.json.schema(model))
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return msgspec.json.format(msgspec.json.encode(schema), indent=2) + b"\n"


def rendered() -> dict[str, bytes]:
    return {f"{name}.schema.json": render(model) for name, model in PUBLISHED.items()}


def main(*, check: bool, directory: Path = DIRECTORY) -> int:
    expected = rendered()
    if check:
        present = {path.name: path.read_bytes() for path in directory.glob("*.schema.json")}
        if present != expected:
            stale = sorted(set(present.items()) ^ set(expected.items()))
            names = sorted({name for name, _ in stale})
            print(
                f"schemas/ is out of date ({', '.join(names)}); run python -m api schemas",
                file=sys.stderr,
            )
            return 1
        return 0
    directory.mkdir(exist_ok=True)
    for path in directory.glob("*.schema.json"):
        if path.name not in expected:
            path.unlink()
    for name, data in expected.items():
        (directory / name).write_bytes(data)
    print(f"wrote {len(expected)} schemas to {directory}")
    return 0
