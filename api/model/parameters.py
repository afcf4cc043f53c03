"""The query parameters of an operation, each described once: name, type, constraints, default.

The catalog derives every list's and the search's parameters from its resources
(``Resource.parameters``, ``SEARCH``). That one description is compiled twice, in api/web: into
the Litestar handler signature (so Litestar validates the parameters and documents them in
OpenAPI) and into the fast path's query Struct (``msgspec.defstruct``, converted with
``strict=False`` as Litestar converts query strings). Nothing here is written a second time.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any, Literal

import msgspec

from api.model.models import SLUG_PATTERN


@dataclass(frozen=True, kw_only=True)
class Constraints:
    """What a value must satisfy; msgspec and Litestar check each of these alike."""

    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    ge: float | None = None
    le: float | None = None

    def given(self) -> dict[str, Any]:
        """The constraints that are set, as keyword arguments of msgspec.Meta and Parameter."""
        return {name: value for name, value in asdict(self).items() if value is not None}


NONE = Constraints()
SLUG = Constraints(pattern=SLUG_PATTERN, max_length=80)
NUMBER = Constraints(ge=-1e15, le=1e15)

#: An integer as JSON writes one. msgspec's strict=False also reads "1e2" and "2.0" as integers;
#: a parameter the document calls an integer takes only this.
INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
#: Litestar reads "null" as None, i.e. absent, for an optional parameter that is not text.
NULL = "null"


@dataclass(frozen=True, kw_only=True)
class QueryParameter:
    """One query parameter of an operation."""

    name: str
    annotation: Any
    description: str
    constraints: Constraints = NONE
    #: The value when absent; None (and not required) means "no filter".
    default: Any = None
    required: bool = False
    #: Given any number of times (a list); any other parameter at most once.
    repeatable: bool = False
    #: Stated in the OpenAPI schema only; the handler checks it, with a more precise message.
    documented: Mapping[str, Any] = field(default_factory=dict)

    @property
    def typed(self) -> Any:
        """The annotation with its constraints, as msgspec checks them."""
        given = self.constraints.given()
        return Annotated[self.annotation, msgspec.Meta(**given)] if given else self.annotation

    @property
    def optional(self) -> bool:
        return not self.required and self.default is None

    def fault(self, raw: str) -> str | None:
        """What is wrong with a raw value before msgspec converts it, or None."""
        if self.annotation is int and not INTEGER.fullmatch(raw):
            return "must be an integer"
        if raw == NULL and self.optional and self.annotation is not str:
            return "null is not a value of it"
        return None


DEFAULT_LIMIT = 50
MAX_TEXT = 200
#: A character that may start a word: an ASCII letter or digit, or anything beyond ASCII that
#: is not a control character. Spelled so ECMA-262 and Python read it alike.
WORDY = r"[^\u0000-\u002f\u003a-\u0040\u005b-\u0060\u007b-\u009f]"
_PLAIN = r"[^\u0000-\u001f\u007f-\u009f]*"
#: Free text as the OpenAPI document states it: no control character, and something wordy.
TEXT_PATTERN = f"^{_PLAIN}{WORDY}{_PLAIN}$"

LIMIT = QueryParameter(
    name="limit",
    annotation=int,
    description="Records per page (1-500).",
    constraints=Constraints(ge=1, le=500),
    default=DEFAULT_LIMIT,
)
CURSOR = QueryParameter(
    name="cursor",
    annotation=str,
    description="Opaque cursor from meta.next_cursor.",
    constraints=Constraints(max_length=512),
)


def sort(choices: tuple[str, ...]) -> QueryParameter:
    return QueryParameter(
        name="sort",
        annotation=Literal[choices],
        description="Sort key; '-' sorts descending. Ties are broken by id.",
        default=choices[0],
    )


def text(description: str, *, required: bool = False) -> QueryParameter:
    return QueryParameter(
        name="q",
        annotation=str,
        description=description,
        constraints=Constraints(min_length=1, max_length=MAX_TEXT),
        required=required,
        documented={"pattern": TEXT_PATTERN},
    )


#: The representations of a collection or record (api/web/representation.py renders them).
FORMATS = ("json", "csv", "ndjson", "jsonld")
FORMAT = QueryParameter(
    name="format",
    annotation=Literal[FORMATS],
    description="Representation: json (the default), csv, ndjson or jsonld; wins over Accept.",
)


def fields(names: Sequence[str]) -> QueryParameter:
    """``fields``: a comma-separated list of these names (its pattern admits no other)."""
    name = "(?:" + "|".join(map(re.escape, names)) + ")"
    return QueryParameter(
        name="fields",
        annotation=str,
        description="Only these top-level fields, comma-separated (id is always included).",
        constraints=Constraints(pattern=f"^{name}(?:,{name})*$", max_length=1000),
    )


def facet(names: tuple[str, ...]) -> QueryParameter:
    return QueryParameter(
        name="facet",
        annotation=list[Literal[names]],  # type: ignore[valid-type]
        description="Count the filtered records by this filter's values (repeatable):"
        " meta.facets.<name>.",
        repeatable=True,
    )
