"""The fast path: plain list, item and search GETs, answered without routing.

On a cache miss the edge asks here first. A request is taken only when every part of it is
plain and known, and asks for plain JSON (no Accept, or one taking JSON alone or anything; no
``format``, ``fields`` or ``facet``): a collection path, or an item path of a record that
exists, with no query; or a list or search query string of the operation's own parameters, each
once, whose values are unreserved characters. The values are checked by the operation's one
parameter description (api/model/parameters.py), compiled here into a query Struct
(``msgspec.defstruct``) and converted with ``strict=False``, as Litestar converts the same
description compiled into the route's signature; ``QueryParameter.fault`` does the rest, for
the route's guard and for this. The answer comes from the same Store by the reader the route
uses (``read_page``, ``read_hits``), with the envelope, links and headers the routes build.

Anything else, and any refusal of the service's own (an ``ApiError``: an invalid value, an
unknown id, a bad cursor, ``date_from`` after ``date_to``), returns None: routing then answers,
and has the final word on every problem document. Anything unexpected is an error (the edge
answers a logged 500), not a silently slower answer.
tests/test_fast_path.py holds both paths to the same status, headers and body.
"""

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import partial
from typing import Any

import msgspec
from litestar.types import Scope

from api.model.catalog import RESOURCES, SEARCH, Resource
from api.model.errors import ApiError
from api.model.models import PageMeta
from api.model.parameters import QueryParameter
from api.web.edge import Headers, header
from api.web.representation import PLAIN_JSON, SHAPING, envelope
from api.web.resources.collection import JSON, page_links, read_page
from api.web.resources.search import read_hits
from api.web.store import Opened, Store

PLAIN = re.compile(rb"[\w.~-]+=[\w.~-]+(?:&[\w.~-]+=[\w.~-]+)*", re.ASCII)
CONTENT_TYPE = (b"content-type", JSON.encode())
#: The template of the route that would have answered (the metrics' label), headers and body.
Answer = tuple[str, Headers, bytes]
Read = Callable[[Store, Mapping[str, Any]], Awaitable[tuple[list[bytes], PageMeta]]]


def query_struct(name: str, parameters: Sequence[QueryParameter]) -> type[msgspec.Struct]:
    """The parameters as one Struct: each field the parameter's type with its constraints,
    and None (absent) for an optional one, as in the route's signature."""
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = [
        (p.name, p.typed) if p.required else (p.name, _absent(p), p.default) for p in parameters
    ]
    return msgspec.defstruct(name, fields, kw_only=True, forbid_unknown_fields=True)


def _absent(parameter: QueryParameter) -> Any:
    return parameter.typed | None if parameter.optional else parameter.typed


class Listing:
    """A paged list as the fast path sees it: its path, its parameters compiled into a query
    Struct, their defaults, and the reader the route itself uses."""

    def __init__(self, path: str, parameters: Sequence[QueryParameter], read: Read) -> None:
        self.path = path
        self.described = {p.name: p for p in parameters}
        self.query = query_struct(f"Query{path.replace('/', '_')}", parameters)
        self.defaults = {p.name: p.default for p in parameters if p.default is not None}
        self.required = any(p.required for p in parameters)
        self.read = read

    def values(self, pairs: list[tuple[str, str]]) -> dict[str, Any] | None:
        """The defaults and the given values, converted; None when routing must answer."""
        raw = dict(pairs)
        if len(raw) < len(pairs) or raw.keys() & SHAPING:
            return None  # a parameter given twice, or a representation routing negotiates
        for name, value in pairs:
            parameter = self.described.get(name)
            if parameter is None or parameter.fault(value) is not None:
                return None
        try:
            query = msgspec.convert(raw, self.query, strict=False)
        except msgspec.ValidationError:
            return None
        return {**self.defaults, **{name: getattr(query, name) for name in raw}}


def collection(resource: Resource) -> Listing:
    """A collection's list: paging, sorting and its filters, read by ``read_page``."""
    return Listing(f"/v1/{resource.name}", resource.parameters, partial(read_page, resource))


def search() -> Listing:
    """``/v1/search`` with a one-word ``q``: anything else in ``q`` is not plain (see PLAIN)."""
    return Listing("/v1/search", SEARCH, read_hits)


class FastPath:
    """The edge's shortcut for collection and search GETs, over the application's open Store."""

    def __init__(self, opened: Opened) -> None:
        self._opened = opened
        self._items = {f"/v1/{resource.name}": resource for resource in RESOURCES}
        #: The routes' own templates, as Litestar names them (a route's ``path_format``).
        self._item_routes = {path: f"{path}/{{id}}" for path in self._items}
        listings = [*map(collection, RESOURCES), search()]
        self._lists = {listing.path: listing for listing in listings}

    async def __call__(self, scope: Scope) -> Answer | None:
        if scope.get("root_path") or header(scope, b"accept") not in PLAIN_JSON:
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
            body = await self._opened.store.body(owner, record_id)
            return self._item_routes[parent], [CONTENT_TYPE], body
        except ApiError:
            return None  # the service's own refusal: routing answers with its problem document

    async def _page(self, listing: Listing, path: str, query: bytes) -> Answer | None:
        given: list[tuple[str, str]] = []
        if query:
            if not PLAIN.fullmatch(query):
                return None
            for pair in query.decode().split("&"):
                name, _, raw = pair.partition("=")
                given.append((name, raw))
            values = listing.values(given)
        else:
            values = None if listing.required else listing.defaults
        if values is None:
            return None
        bodies, meta = await listing.read(self._opened.store, values)
        links = page_links(path, query.decode(), given, meta.next_cursor)
        body = envelope(bodies, meta, links)
        if links.next is None:
            return path, [CONTENT_TYPE], body
        link = (b"link", f'<{links.next}>; rel="next"'.encode("latin-1"))
        return path, [link, CONTENT_TYPE], body
