"""Query-string rules shared by every route: known names only, once each; cursors; FTS text."""

import base64
import binascii
import re
import unicodedata
from typing import Annotated, Any

import msgspec
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.typing import FieldDefinition

from api.model.errors import BadRequest
from api.model.models import ParameterError

MAX_TEXT = 200
_WORD = re.compile(r"[^\W_]+")
#: A character that may start a word: an ASCII letter or digit, or anything beyond ASCII that
#: is not a control character. Spelled so ECMA-262 and Python read it alike.
_WORDY = r"[^\u0000-\u002f\u003a-\u0040\u005b-\u0060\u007b-\u009f]"
_PLAIN = r"[^\u0000-\u001f\u007f-\u009f]*"
#: Free text as the OpenAPI document states it: no control character, and something wordy.
TEXT_PATTERN = f"^{_PLAIN}{_WORDY}{_PLAIN}$"


async def known_parameters(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Guard: refuse unknown and repeated query parameters, and "null" where it is no value."""
    allowed = handler.opt.get("query", frozenset())
    fields = handler.parsed_fn_signature.parameters
    errors = []
    seen: set[str] = set()
    for name, value in connection.query_params.multi_items():
        if name not in allowed:
            errors.append(ParameterError(parameter=name, detail="unknown parameter"))
        elif name in seen:
            errors.append(ParameterError(parameter=name, detail="given more than once"))
        elif value == "null" and _null_is_absent(fields.get(name)):
            errors.append(ParameterError(parameter=name, detail="null is not a value of it"))
        seen.add(name)
    if errors:
        names = ", ".join(sorted({repr(error.parameter) for error in errors}))
        raise BadRequest(f"invalid parameter {names}", _unique(errors))


def _null_is_absent(field: FieldDefinition | None) -> bool:
    """Litestar reads "null" as None, i.e. absent, for an optional parameter other than text."""
    return field is not None and field.is_optional and not field.has_inner_subclass_of(str)


def _unique(errors: list[ParameterError]) -> list[ParameterError]:
    return list(dict.fromkeys(errors))


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
    if re.search(_WORDY, text) is None:
        raise BadRequest.for_parameter(parameter, "must contain at least one letter or digit")
    quoted = [f'"{word}"' for word in _WORD.findall(text)[:32]] or ['""']
    return " ".join([*quoted[:-1], quoted[-1] + " *"])
