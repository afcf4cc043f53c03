"""Reading seeds and fixture files; every decoding fault is reported with file and location."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from api.model.errors import BuildError
from api.model.records import Dataset

_BYTE = re.compile(r"\(byte (\d+)\)")
_PATH = re.compile(r" - at `(\$[^`]*)`$")


@dataclass(frozen=True)
class Located:
    """A fixture record with the file and JSON path it came from."""

    record: Any
    file: str
    path: str

    def error(self, detail: str, suffix: str = "") -> BuildError:
        return BuildError(self.file, self.path + suffix, detail)


@dataclass(frozen=True)
class Inputs:
    """Everything a build reads: article texts by seed file name and located records by list."""

    texts: dict[str, str]
    records: dict[str, list[Located]]
    digest_parts: list[tuple[str, bytes]]

    def all(self) -> Iterator[tuple[str, Located]]:
        for name, located in self.records.items():
            for item in located:
                yield name, item


def read(seeds: Path, fixtures: Path) -> Inputs:
    texts: dict[str, str] = {}
    parts: list[tuple[str, bytes]] = []
    for path in sorted(seeds.glob("*.txt")):
        data = path.read_bytes()
        texts[path.name] = _decode_text(path, data)
        parts.append((f"seeds/{path.name}", data))
    records: dict[str, list[Located]] = {name: [] for name in Dataset.__struct_fields__}
    for path in sorted(fixtures.rglob("*.json")):
        data = path.read_bytes()
        name = f"fixtures/{path.relative_to(fixtures).as_posix()}"
        parts.append((name, data))
        dataset = decode(name, data)
        for field in Dataset.__struct_fields__:
            for index, record in enumerate(getattr(dataset, field)):
                records[field].append(Located(record, name, f"$.{field}[{index}]"))
    if not parts:
        raise BuildError(str(fixtures), "$", "no fixture files found")
    return Inputs(texts, records, parts)


def _decode_text(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BuildError(f"seeds/{path.name}", f"byte {exc.start}", "not valid UTF-8") from None


def decode(name: str, data: bytes) -> Dataset:
    """Decode one fixture file strictly, naming the line/column or JSON path of a fault."""
    try:
        return msgspec.json.decode(data, type=Dataset)
    except msgspec.ValidationError as exc:
        message = str(exc)
        match = _PATH.search(message)
        location = match.group(1) if match else "$"
        raise BuildError(name, location, _PATH.sub("", message)) from None
    except msgspec.DecodeError as exc:
        message = str(exc)
        match = _BYTE.search(message)
        location = _line_column(data, int(match.group(1))) if match else "$"
        raise BuildError(name, location, message) from None


def _line_column(data: bytes, offset: int) -> str:
    before = data[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return f"line {line}, column {column}"
