"""The fast path: plain list and item GETs of the collections, answered without routing.

On a cache miss the edge asks here first. A request is taken only when every part of it is
plain and known: a collection path, or an item path whose id is a slug, with no query; or a
list query string of known names, each once, whose values are unreserved characters that the
parameter's own type (and constraints, the ones the route declares) accepts. It is answered
from the same Store, with the envelope, links and headers the collection routes build.

Anything else, and any failure (an unknown id, a bad cursor, ``date_from`` after ``date_to``,
an error), returns None: routing then answers, and has the final word on validation and on
every problem document. tests/test_fast_path.py holds both paths to the same status, headers
and body.
"""

import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any

import msgspec
from litestar.types import Scope

from api.catalog import RESOURCES, Constraints, Resource
from api.edge import Headers
from api.resources.collection import (
    JSON,
    envelope,
    list_parameters,
    page_links,
    read_page,
    sort_choices,
)
from api.store import Store

PLAIN = re.compile(rb"[\w.~-]+=[\w.~-]+(?:&[\w.~-]+=[\w.~-]+)*", re.ASCII)
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*", re.ASCII)
LIMIT = re.compile(r"[1-9][0-9]{0,2}")
CONTENT_TYPE = (b"content-type", JSON.encode())
#: Constraints msgspec checks exactly as the route's parameter does.
CHECKED = frozenset({"pattern", "min_length", "max_length", "ge", "gt", "le", "lt"})
#: Parameters that page and sort; any other one given is a filter.
PAGING = frozenset({"limit", "sort", "cursor"})
Parse = Callable[[str], Any]
Answer = tuple[Headers, bytes]


def _limit(raw: str) -> int:
    if not LIMIT.fullmatch(raw) or int(raw) > 500:
        raise ValueError(raw)
    return int(raw)


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


class Collection:
    """One resource as the fast path sees it: its list path and a parser per parameter."""

    def __init__(self, resource: Resource) -> None:
        self.resource = resource
        self.path = f"/v1/{resource.name}"
        typed: dict[str, Parse | None] = {
            name: _typed(link.annotation, link.constraints) for name, link in resource.links.items()
        }
        for span in resource.ranges:
            for name in (span.low_param, span.high_param):
                typed[name] = _typed(span.annotation, span.constraints)
        #: The route's own defaults for the paging parameters (limit, sort).
        self.defaults = {
            p.name: p.default for p in list_parameters(resource) if p.name in ("limit", "sort")
        }
        self.parsers: Mapping[str, Parse] = {
            "limit": _limit,
            "cursor": _cursor,
            "sort": _choice(frozenset(sort_choices(resource))),
            **{name: parse for name, parse in typed.items() if parse is not None},
        }


class FastPath:
    """The edge's shortcut for collection GETs; ``store`` gives the app's open Store."""

    def __init__(self, store: Callable[[], Store]) -> None:
        self._store = store
        self._lists = {collection.path: collection for collection in map(Collection, RESOURCES)}

    async def __call__(self, scope: Scope) -> Answer | None:
        if scope.get("root_path"):
            return None
        path: str = scope["path"]
        query: bytes = scope["query_string"]
        try:
            collection = self._lists.get(path)
            if collection is not None:
                return await self._page(collection, path, query)
            parent, _, record_id = path.rpartition("/")
            owner = self._lists.get(parent)
            if owner is None or query or len(record_id) > 80 or not SLUG.fullmatch(record_id):
                return None
            return [CONTENT_TYPE], await self._store().body(owner.resource, record_id)
        except Exception:
            return None  # routing answers: the same outcome, or the problem document

    async def _page(self, collection: Collection, path: str, query: bytes) -> Answer | None:
        values: dict[str, Any] = dict(collection.defaults)
        given: list[tuple[str, str]] = []
        if query:
            if not PLAIN.fullmatch(query):
                return None
            for pair in query.decode().split("&"):
                name, _, raw = pair.partition("=")
                parse = collection.parsers.get(name)
                if parse is None or any(name == seen for seen, _ in given):
                    return None
                values[name] = parse(raw)
                given.append((name, raw))
        bodies, meta = await read_page(self._store(), collection.resource, values)
        links = page_links(path, query.decode(), given, meta.next_cursor)
        body = envelope(bodies, meta, links)
        if links.next is None:
            return [CONTENT_TYPE], body
        link = (b"link", f'<{links.next}>; rel="next"'.encode("latin-1"))
        return [link, CONTENT_TYPE], body
