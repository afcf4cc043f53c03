"""The representations of a collection or record: JSON, CSV, NDJSON and JSON-LD, chosen by
``format`` or else by ``Accept``, with sparse ``fields``.

JSON is the stored bodies as they are (decoded only when ``fields`` selects some); CSV rows
are flat (api/model/flat.py), NDJSON one body a line, JSON-LD nodes (api/web/linked.py). A
response is a function of its path, query and Accept, which is what the edge keys and tags.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import msgspec
from litestar import Request

from api.model import flat
from api.model.catalog import Resource
from api.model.errors import NotAcceptable
from api.model.models import PageLinks, PageMeta
from api.model.parameters import FORMATS
from api.web.linked import CONTEXT_PATH, node
from api.web.store import Read

#: The media type of each format, as Accept names it.
MEDIA = {
    "json": "application/json",
    "csv": "text/csv",
    "ndjson": "application/x-ndjson",
    "jsonld": "application/ld+json",
}
BY_MEDIA = {media: form for form, media in MEDIA.items()}
#: The parameters that choose how records are written, not which.
SHAPING = frozenset({"format", "fields", "facet"})
#: The Accept values (or none) that take the plain JSON the fast path writes.
PLAIN_JSON = frozenset({None, b"*/*", b"application/json"})
#: The formats that stream a whole collection when no limit is given.
STREAMED = frozenset({"csv", "ndjson"})
assert tuple(MEDIA) == FORMATS


def negotiated(request: Request[Any, Any, Any], given: str | None) -> str:
    """The format: ``format`` when given, else the best that ``Accept`` takes (json without
    one); a 406 when Accept takes none of them."""
    if given is not None:
        return given
    if "accept" not in request.headers:
        return "json"
    best = request.accept.best_match(list(MEDIA.values()))
    if best is None:
        available = ", ".join(MEDIA.values())
        raise NotAcceptable(f"Accept takes none of the types available: {available}")
    return BY_MEDIA[best]


def envelope(bodies: list[bytes], meta: PageMeta, links: PageLinks) -> bytes:
    return b"".join(
        (
            b'{"data":[',
            b",".join(bodies),
            b'],"meta":',
            msgspec.json.encode(meta),
            b',"links":',
            msgspec.json.encode(links),
            b"}",
        )
    )


@cache
def columns_of(model: type[msgspec.Struct]) -> tuple[flat.Column, ...]:
    return flat.columns(model)


@cache
def header_of(model: type[msgspec.Struct]) -> bytes:
    """The header row of a CSV of every column."""
    return flat.rows(columns_of(model), [], header=True)


@dataclass(frozen=True)
class Shape:
    """How records of one resource are written in one response: format and chosen fields."""

    resource: Resource
    form: str
    #: The top-level fields to keep; None keeps every one.
    fields: frozenset[str] | None = None

    @classmethod
    def of(cls, resource: Resource, form: str, fields: str | None) -> "Shape":
        """``fields`` as validated: known names only (its pattern, Resource.item_parameters)."""
        chosen = None if fields is None else frozenset({"id", *fields.split(",")})
        return cls(resource, form, chosen)

    @property
    def content_type(self) -> str:
        """The media type; Litestar adds ``charset=utf-8`` to CSV, as to any text type."""
        return MEDIA[self.form]

    @property
    def streams(self) -> bool:
        return self.form in STREAMED

    def _records(self, bodies: Sequence[bytes]) -> list[dict[str, Any]]:
        records = [msgspec.json.decode(body) for body in bodies]
        if self.form == "jsonld":
            records = [node(self.resource, record) for record in records]
        if self.fields is None:
            return records
        return [{k: v for k, v in r.items() if k in self.fields or k[0] == "@"} for r in records]

    def _bodies(self, bodies: Sequence[bytes]) -> Sequence[bytes]:
        """JSON bodies of the chosen fields (the stored ones when all are chosen)."""
        if self.fields is None:
            return bodies
        return [msgspec.json.encode(record) for record in self._records(bodies)]

    @property
    def read(self) -> Read:
        """What the store reads for this shape: a CSV of every field is its records' stored
        rows (api/model/tables.py), joined as they are; anything else is written from bodies."""
        return "csv" if self.form == "csv" and self.fields is None else "body"

    def chunk(self, read: Sequence[bytes], first: bool) -> bytes:
        """Records of a CSV or NDJSON stream (CSV's header row before the first), from what
        the store read (``read``)."""
        if self.read == "csv":
            rows = b"".join(read)
            return header_of(self.resource.model) + rows if first else rows
        return self._written(read, first)

    def _written(self, bodies: Sequence[bytes], first: bool) -> bytes:
        if self.form == "csv":
            chosen = [c for c in columns_of(self.resource.model) if self._kept(c.path[0])]
            return flat.rows(chosen, self._records(bodies), header=first)
        return b"".join(body + b"\n" for body in self._bodies(bodies))

    def _kept(self, name: str) -> bool:
        return self.fields is None or name in self.fields

    def page(self, bodies: list[bytes], meta: PageMeta, links: PageLinks) -> bytes:
        """One page, from what the store read (``read``)."""
        if self.form == "json":
            return envelope(list(self._bodies(bodies)), meta, links)
        if self.form == "jsonld":
            graph = {"@context": CONTEXT_PATH, "@graph": self._records(bodies)}
            return msgspec.json.encode(graph)
        return self.chunk(bodies, first=True)

    def item(self, body: bytes) -> bytes:
        if self.form == "json":
            return self._bodies([body])[0]
        if self.form == "jsonld":
            return msgspec.json.encode({"@context": CONTEXT_PATH, **self._records([body])[0]})
        return self._written([body], first=True)
