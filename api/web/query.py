"""Query-string rules shared by every route: known names only, once each, in UTF-8, integers
written as integers, required ones given; cursors; FTS text."""

import base64
import binascii
import re
import unicodedata
from typing import Annotated, Any
from urllib.parse import unquote_to_bytes

import msgspec
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from api.model.errors import BadRequest
from api.model.models import ParameterError
from api.model.parameters import WORDY, QueryParameter
from api.web.signature import PARAMETERS

_WORD = re.compile(r"[^\W_]+")


async def known_parameters(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Guard: refuse what Litestar's parsing would let through or report without a name:
    unknown parameters, repeated ones (unless repeatable), text that is not UTF-8, the faults
    of a raw value (``QueryParameter.fault``) and a missing required parameter."""
    described: dict[str, QueryParameter] = {p.name: p for p in handler.opt.get(PARAMETERS, ())}
    errors = [
        ParameterError(parameter=name, detail="not valid UTF-8")
        for name in _not_utf8(connection.scope["query_string"])
    ]
    seen: set[str] = set()
    for name, value in connection.query_params.multi_items():
        parameter = described.get(name)
        fault = None if parameter is None else parameter.fault(value)
        if parameter is None:
            errors.append(ParameterError(parameter=name, detail="unknown parameter"))
        elif name in seen and not parameter.repeatable:
            errors.append(ParameterError(parameter=name, detail="given more than once"))
        elif fault is not None:
            errors.append(ParameterError(parameter=name, detail=fault))
        seen.add(name)
    for name, parameter in described.items():
        if parameter.required and name not in seen:
            errors.append(ParameterError(parameter=name, detail="required"))
    if errors:
        names = ", ".join(sorted({repr(error.parameter) for error in errors}))
        raise BadRequest(f"invalid parameter {names}", list(dict.fromkeys(errors)))


def _not_utf8(query: bytes) -> list[str]:
    """The names of the parameters whose value, percent-decoded, is not UTF-8."""
    found = []
    for pair in query.split(b"&"):
        name, _, value = pair.partition(b"=")
        try:
            unquote_to_bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            found.append(unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace"))
    return found


#: An integer SQLite can bind; a forged cursor with a larger one is refused, not a 500.
SqlInt = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]


class Cursor(msgspec.Struct, array_like=True, frozen=True):
    """Where a page ends: the sort it belongs to, the last sort value and the last id."""

    sort: str
    value: str | float | SqlInt
    id: str


def encode_cursor(cursor: Cursor) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(cursor)).decode().rstrip("=")


def decode_cursor(raw: str, sort: str) -> Cursor:
    try:
        # validate: refuse characters outside the alphabet instead of skipping them.
        data = base64.b64decode(raw + "=" * (-len(raw) % 4), altchars=b"-_", validate=True)
        cursor = msgspec.json.decode(data, type=Cursor)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise BadRequest.for_parameter("cursor", "not a cursor this service issued") from None
    if cursor.sort != sort:
        raise BadRequest.for_parameter("cursor", f"issued for sort={cursor.sort!r}, not {sort!r}")
    return cursor


def decode_rank_cursor(raw: str) -> tuple[float, int]:
    """A search cursor: the BM25 score and the rowid of the last hit."""
    cursor = decode_cursor(raw, "rank")
    rowid = cursor.id.isascii() and cursor.id.isdigit() and len(cursor.id) <= 18
    if isinstance(cursor.value, str) or not rowid:
        raise BadRequest.for_parameter("cursor", "not a cursor this service issued")
    return float(cursor.value), int(cursor.id)


def fts_match(parameter: str, text: str) -> str:
    """An FTS5 query matching every word of ``text`` literally (implicit AND, prefix on the last).

    Operators, quotes and hyphens lose their meaning: each word becomes a quoted string.
    """
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise BadRequest.for_parameter(parameter, "must not contain control characters")
    if re.search(WORDY, text) is None:
        raise BadRequest.for_parameter(parameter, "must contain at least one letter or digit")
    quoted = [f'"{word}"' for word in query_words(text)] or ['""']
    return " ".join([*quoted[:-1], quoted[-1] + " *"])


def query_words(text: str) -> list[str]:
    """The words of a full-text query, as ``fts_match`` matches them (at most 32)."""
    return _WORD.findall(text)[:32]
