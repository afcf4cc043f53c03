"""The fast path: plain list, item and search GETs, answered without routing.

On a cache miss the edge asks here first. A request is taken only when every part of it is
plain and known: a collection path, or an item path of a record that exists, with no query; or
a list or search query string of known names, each once, whose values are unreserved characters
that the parameter's own type (and constraints, the ones the route declares) accepts. It is
answered from the same Store by the reader the route uses (``read_page``, ``read_hits``), with
the envelope, links and headers the routes build.

Anything else, and any failure (an unknown id, a bad cursor, ``date_from`` after ``date_to``,
an error), returns None: routing then answers, and has the final word on validation and on
every problem document. tests/test_fast_path.py holds both paths to the same status, headers
and body.
"""

import re
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Annotated, Any

import msgspec
from litestar.types import Scope

from api.model.catalog import RESOURCES, Constraints, Resource
from api.model.models import PageMeta
from api.web.edge import Headers
from api.web.query import MAX_TEXT
from api.web.resources.collection import (
    DEFAULT_LIMIT,
    JSON,
    envelope,
    list_parameters,
    page_links,
    read_page,
    sort_choices,
)
from api.web.resources.search import HIT_TYPES, read_hits
from api.web.store import Store

PLAIN = re.compile(rb"[\w.~-]+=[\w.~-]+(?:&[\w.~-]+=[\w.~-]+)*", re.ASCII)
LIMIT = re.compile(r"[1-9][0-9]{0,2}")
CONTENT_TYPE = (b"content-type", JSON.encode())
#: Constraints msgspec checks exactly as the route's parameter does.
CHECKED = frozenset({"pattern", "min_length", "max_length", "ge", "gt", "le", "lt"})
Parse = Callable[[str], Any]
Answer = tuple[Headers, bytes]


def _limit(raw: str) -> int:
    if not LIMIT.fullmatch(raw) or int(raw) > 500:
        raise ValueError(raw)
    return int(raw)


def _text(raw: str) -> str:
    """Free text; what it must contain is left to ``fts_match``, as on the route."""
    if not 1 <= len(raw) <= MAX_TEXT:
        raise ValueError(raw)
    return raw


def _cursor(raw: str) -> str:
    if len(raw) > 512:
        raise ValueError(raw)
    return raw


def _choice(choices: frozenset[str]) -> Parse:
    def parse(raw: str) -> str:
        if raw not in choices:
            raise ValueError(raw)
        return raw

    return parse


def _typed(annotation: Any, constraints: Constraints) -> Parse | None:
    """A parser with the parameter's type and constraints, or None when msgspec cannot check
    them the way the route does (that parameter then always takes the routed path)."""
    if not set(constraints) <= CHECKED:
        return None
    kind = Annotated[annotation, msgspec.Meta(**constraints)] if constraints else annotation

    def parse(raw: str) -> Any:
        return msgspec.convert(raw, kind, strict=False)

    return parse


Read = Callable[[Store, Mapping[str, Any]], Awaitable[tuple[list[bytes], PageMeta]]]


class Listing:
    """A paged list as the fast path sees it: its path, a parser per parameter, the route's
    defaults, the parameters it cannot do without, and the reader the route itself uses."""

    def __init__(
        self,
        path: str,
        parsers: Mapping[str, Parse],
        defaults: Mapping[str, Any],
        read: Read,
        required: frozenset[str] = frozenset(),
    ) -> None:
        self.path = path
        self.parsers = parsers
        self.defaults = defaults
        self.read = read
        self.required = required


def collection(resource: Resource) -> Listing:
    """A collection's list: paging, sorting and its filters, read by ``read_page``."""
    typed: dict[str, Parse | None] = {
        name: _typed(link.annotation, link.constraints) for name, link in resource.links.items()
    }
    for span in resource.ranges:
        for name in (span.low_param, span.high_param):
            typed[name] = _typed(span.annotation, span.constraints)
    parsers = {
        "limit": _limit,
        "cursor": _cursor,
        "sort": _choice(frozenset(sort_choices(resource))),
        **{name: parse for name, parse in typed.items() if parse is not None},
    }
    #: The route's own defaults for the paging parameters (limit, sort).
    defaults = {p.name: p.default for p in list_parameters(resource) if p.name in ("limit", "sort")}

    return Listing(f"/v1/{resource.name}", parsers, defaults, partial(read_page, resource))


def search() -> Listing:
    """``/v1/search`` with a one-word ``q``: anything else in ``q`` is not plain (see PLAIN)."""
    parsers = {"q": _text, "type": _choice(HIT_TYPES), "limit": _limit, "cursor": _cursor}
    return Listing("/v1/search", parsers, {"limit": DEFAULT_LIMIT}, read_hits, frozenset({"q"}))


class FastPath:
    """The edge's shortcut for collection and search GETs; ``opened["store"]`` is the Store
    while the application runs (its lifespan opens and closes it)."""

    def __init__(self, opened: Mapping[str, Store]) -> None:
        self._opened = opened
        self._items = {f"/v1/{resource.name}": resource for resource in RESOURCES}
        listings = [*map(collection, RESOURCES), search()]
        self._lists = {listing.path: listing for listing in listings}

    async def __call__(self, scope: Scope) -> Answer | None:
        if scope.get("root_path"):
            return None
        path: str = scope["path"]
        query: bytes = scope["query_string"]
        try:
            listing = self._lists.get(path)
            if listing is not None:
                return await self._page(listing, path, query)
            parent, _, record_id = path.rpartition("/")
            owner = self._items.get(parent)
            if owner is None or query:
                return None
            # Only a found record is answered, and every stored id is a valid one (a slug of at
            # most 80 characters, checked at build): any other id is routing's to answer.
            return [CONTENT_TYPE], await self._opened["store"].body(owner, record_id)
        except Exception:
            return None  # routing answers: the same outcome, or the problem document

    async def _page(self, listing: Listing, path: str, query: bytes) -> Answer | None:
        values: dict[str, Any] = dict(listing.defaults)
        given: list[tuple[str, str]] = []
        if query:
            if not PLAIN.fullmatch(query):
                return None
            for pair in query.decode().split("&"):
                name, _, raw = pair.partition("=")
                parse = listing.parsers.get(name)
                if parse is None or any(name == seen for seen, _ in given):
                    return None
                values[name] = parse(raw)
                given.append((name, raw))
        if not listing.required <= values.keys():
            return None
        bodies, meta = await listing.read(self._opened["store"], values)
        links = page_links(path, query.decode(), given, meta.next_cursor)
        body = envelope(bodies, meta, links)
        if links.next is None:
            return [CONTENT_TYPE], body
        link = (b"link", f'<{links.next}>; rel="next"'.encode("latin-1"))
        return [link, CONTENT_TYPE], body
