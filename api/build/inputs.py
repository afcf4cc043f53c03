"""Reading seeds and fixture files; every decoding fault is a :class:`Fault` with file and location.

A fixture file is read in two steps, so that one bad record does not hide the others: its top
level as lists of anything (the lists of a ``Dataset``), then each record on its own as its
list's record type. msgspec stops at the first fault of what it decodes, so a file yields one
fault per record it refuses and at most one for its top level; a file that is not JSON, or
not lists at all, yields one and no records.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from api.build import suggestions
from api.model.catalog import BY_NAME
from api.model.errors import Fault
from api.model.records import Dataset

_BYTE = re.compile(r"\(byte (\d+)\)")
_PATH = re.compile(r" - at `(\$[^`]*)`$")
LISTS = Dataset.__struct_fields__


def _lists(*, strict: bool) -> type[msgspec.Struct]:
    """A fixture file's top level: the lists of a ``Dataset``, their records not yet decoded."""
    fields: list[tuple[str, Any, Any]] = [
        (name, list[Any], msgspec.field(default_factory=list)) for name in LISTS
    ]
    return msgspec.defstruct("Lists", fields, kw_only=True, forbid_unknown_fields=strict)


#: The top level exactly; and only the lists it knows, to read the records of a file that has more.
_STRICT, _LENIENT = _lists(strict=True), _lists(strict=False)


@dataclass(frozen=True)
class Located:
    """A fixture record with the file and JSON path it came from."""

    record: Any
    file: str
    path: str

    def fault(self, detail: str, suffix: str = "", suggestion: str = "") -> Fault:
        return Fault(self.file, self.path + suffix, detail, suggestion)


@dataclass(frozen=True)
class Inputs:
    """Everything a build reads: article texts by seed file name and located records by list."""

    texts: dict[str, str] = field(default_factory=dict)
    records: dict[str, list[Located]] = field(default_factory=lambda: {n: [] for n in LISTS})
    digest_parts: list[tuple[str, bytes]] = field(default_factory=list)
    #: What could not be read or decoded; the records that decode are in ``records``.
    faults: list[Fault] = field(default_factory=list)
    #: (list, id) of each record that could not be decoded: references to it are not unknown.
    undecoded: set[tuple[str, str]] = field(default_factory=set)
    #: Files not read as lists of records at all: what ids they hold is unknown.
    unreadable: list[str] = field(default_factory=list)

    def all(self) -> Iterator[tuple[str, Located]]:
        for name, located in self.records.items():
            for item in located:
                yield name, item


def read(seeds: Path, fixtures: Path) -> Inputs:
    inputs = Inputs()
    for path in sorted(seeds.glob("*.txt")):
        _add_seed(inputs, f"seeds/{path.name}", path.read_bytes())
    files = sorted(fixtures.rglob("*.json"))
    for path in files:
        _add_fixture(inputs, f"fixtures/{path.relative_to(fixtures).as_posix()}", path.read_bytes())
    if not files:
        inputs.faults.append(Fault(str(fixtures), "$", "no fixture files found"))
    return inputs


def _add_seed(inputs: Inputs, name: str, data: bytes) -> None:
    inputs.digest_parts.append((name, data))
    try:
        inputs.texts[name.removeprefix("seeds/")] = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        inputs.faults.append(Fault(name, f"byte {exc.start}", "not valid UTF-8"))


def _add_fixture(inputs: Inputs, name: str, data: bytes) -> None:
    inputs.digest_parts.append((name, data))
    lists = _top_level(inputs, name, data)
    if lists is None:
        inputs.unreadable.append(name)
        return
    for kind in LISTS:
        record_type = BY_NAME[kind].record
        for index, raw in enumerate(getattr(lists, kind)):
            path = f"$.{kind}[{index}]"
            try:
                record = msgspec.convert(raw, type=record_type)
            except msgspec.ValidationError as exc:
                inputs.faults.append(_invalid(name, path, exc))
                if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                    inputs.undecoded.add((kind, raw["id"]))
                continue
            inputs.records[kind].append(Located(record, name, path))


def _top_level(inputs: Inputs, name: str, data: bytes) -> Any:
    """The file's lists, or None when it has none to read (the fault is in ``inputs.faults``)."""
    try:
        return msgspec.json.decode(data, type=_STRICT)
    except msgspec.ValidationError as exc:
        inputs.faults.append(_invalid(name, "$", exc))
    except msgspec.DecodeError as exc:
        inputs.faults.append(_malformed(name, data, exc))
        return None
    try:
        return msgspec.json.decode(data, type=_LENIENT)
    except msgspec.ValidationError:
        return None


def _invalid(name: str, at: str, exc: msgspec.ValidationError) -> Fault:
    """msgspec's fault in a value decoded at ``at``, located from the file's top level."""
    message = str(exc)
    match = _PATH.search(message)
    location = at + (match.group(1)[1:] if match else "")
    detail = _PATH.sub("", message)
    return Fault(name, location, detail, suggestions.decoding(location, detail))


def _malformed(name: str, data: bytes, exc: msgspec.DecodeError) -> Fault:
    message = str(exc)
    match = _BYTE.search(message)
    return Fault(name, _line_column(data, int(match.group(1))) if match else "$", message)


def _line_column(data: bytes, offset: int) -> str:
    before = data[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return f"line {line}, column {column}"
