"""JSON Schemas of the models, written to schemas/ and published by the service."""

import sys
from pathlib import Path

import msgspec

from api import models
from api.catalog import RESOURCES
from api.records import Dataset
from api.settings import ROOT

DIRECTORY = ROOT / "schemas"
PUBLISHED: dict[str, type[msgspec.Struct]] = {
    **{resource.noun: resource.model for resource in RESOURCES},
    "evidence": models.Evidence,
    "date": models.Date,
    "reference": models.Ref,
    "search-hit": models.SearchHit,
    "problem": models.Problem,
    "index": models.Index,
    "fixture": Dataset,
}


def render(model: type[msgspec.Struct]) -> bytes:
    schema = msgspec.json.schema(model)
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
