"""A record as one CSV row: flat columns derived from its model, never listed by hand.

A nested object's fields become columns joined by ``_`` (a reference ``speaker`` gives
``speaker_type``, ``speaker_id``, ``speaker_name``, ``speaker_href``; a date ``date_value``,
``date_precision``, ``date_year_inferred``). A list (evidence, aliases, roles, participants)
is one cell holding its compact JSON. Absent values (null) are empty cells; booleans are
``true``/``false``. Rows are RFC 4180 (quoted where needed, CRLF), UTF-8 without a BOM.

The build stores every record's row of all the columns (``lines``, api/model/tables.py), so a
CSV of whole records is read from SQLite, not written per request; a choice of ``fields`` is
written here from the bodies.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec


@dataclass(frozen=True)
class Column:
    """One CSV column: its name and the path of keys to its value in the record."""

    name: str
    path: tuple[str, ...]

    def cell(self, record: dict[str, Any]) -> str:
        value: Any = record
        for key in self.path:
            if value is None:
                return ""
            value = value[key]
        return _text(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return msgspec.json.encode(value).decode()
    return str(value)


def columns(model: type[msgspec.Struct]) -> tuple[Column, ...]:
    """Every column of a model's rows, in the order of its fields."""
    info = msgspec.inspect.type_info(model)
    assert isinstance(info, msgspec.inspect.StructType)
    return tuple(column for field in info.fields for column in _columns((field.name,), field.type))


def _columns(path: tuple[str, ...], kind: msgspec.inspect.Type) -> Iterator[Column]:
    struct = _struct(kind)
    if struct is None:
        yield Column("_".join(path), path)
        return
    for field in struct.fields:
        yield from _columns((*path, field.name), field.type)


def _struct(kind: msgspec.inspect.Type) -> msgspec.inspect.StructType | None:
    """The object type of a field (also when it may be null or is annotated), or None for any
    other type."""
    if isinstance(kind, msgspec.inspect.Metadata):
        return _struct(kind.type)
    if isinstance(kind, msgspec.inspect.StructType):
        return kind
    if isinstance(kind, msgspec.inspect.UnionType):
        found = [t for t in kind.types if not isinstance(t, msgspec.inspect.NoneType)]
        if len(found) == 1 and isinstance(found[0], msgspec.inspect.StructType):
            return found[0]
    return None


def rows(chosen: Sequence[Column], records: Sequence[dict[str, Any]], header: bool) -> bytes:
    """The CSV text of these records, after the header row when ``header``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow([column.name for column in chosen])
    writer.writerows([column.cell(record) for column in chosen] for record in records)
    return out.getvalue().encode()


def lines(chosen: Sequence[Column], records: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """Each record's row on its own, CRLF included: the rows ``rows`` writes, one at a time
    (a row depends on its record alone), so that the build can store them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for record in records:
        writer.writerow([column.cell(record) for column in chosen])
        yield out.getvalue().encode()
        out.seek(0)
        out.truncate()
