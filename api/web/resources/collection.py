"""One piece of code turns a catalog Resource into its list and item routes.

The list handler's signature is generated from the Resource's filters, so Litestar parses,
validates and documents every parameter; the handler body only translates them to conditions.
"""

from collections.abc import AsyncIterator, Mapping
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

import msgspec
from litestar import Request, Response, Router
from litestar.di import NamedDependency
from litestar.params import PathParameter
from litestar.response import Stream

from api.model.catalog import Resource
from api.model.errors import BadRequest
from api.model.models import FacetValue, PageLinks, PageMeta
from api.model.parameters import SLUG
from api.web.openapi import ITEM_RESPONSES, LIST_RESPONSES, NEGOTIATED
from api.web.query import Cursor, decode_cursor, encode_cursor, fts_match
from api.web.representation import SHAPING, Shape, negotiated
from api.web.signature import query_get
from api.web.store import (
    Condition,
    Read,
    SortValue,
    Store,
    link_condition,
    range_conditions,
    text_condition,
)

JSON = "application/json"
#: The parameters that page, sort or shape the answer; any other one filters.
UNFILTERED = frozenset({"limit", "cursor", "sort"}) | SHAPING
#: Records a stream reads from SQLite at a time (one keyset page): memory stays flat.
EXPORT_PAGE = 1000
IdParameter = Annotated[
    str,
    PathParameter(description="The record's id (a slug).", **SLUG.given()),
]


def page_model(resource: Resource) -> type[msgspec.Struct]:
    """The envelope of a list response: data, meta and links."""
    return msgspec.defstruct(
        f"{resource.model.__name__}Page",
        [("data", list[resource.model]), ("meta", PageMeta), ("links", PageLinks)],  # type: ignore[name-defined]
        kw_only=True,
        forbid_unknown_fields=True,
    )


def page_links(
    path: str, query: str, pairs: list[tuple[str, str]], next_cursor: str | None
) -> PageLinks:
    """``self`` is the request as sent; ``next`` keeps its parameters, in the client's order,
    with the new cursor last."""
    own = f"{path}?{query}" if query else path
    if next_cursor is None:
        return PageLinks(self=own, next=None)
    kept = [(name, value) for name, value in pairs if name != "cursor"]
    return PageLinks(self=own, next=f"{path}?{urlencode([*kept, ('cursor', next_cursor)])}")


def request_links(
    request: Request[Any, Any, Any], next_cursor: str | None
) -> tuple[PageLinks, dict[str, str]]:
    """The links of a routed request, and its ``Link`` header when there is a next page."""
    # items() keeps the client's order; multi_items() walks a set, whose order varies by process.
    pairs = list(request.query_params.items())
    links = page_links(request.url.path, request.url.query, pairs, next_cursor)
    return links, {} if links.next is None else {"Link": f'<{links.next}>; rel="next"'}


async def read_page(
    resource: Resource, store: Store, values: Mapping[str, Any], read: Read = "body"
) -> tuple[list[bytes], PageMeta]:
    """The records of one page of a validated list request (``read``: their bodies or their
    CSV rows), and its meta."""
    sort: str = values["sort"]
    after = _after(values, sort)
    limit: int = values["limit"]
    found = conditions(resource, values)
    bodies, total, last = await store.page(
        resource, found, sort.lstrip("-"), sort.startswith("-"), after, limit, read
    )
    next_cursor = None if last is None else encode_cursor(Cursor(sort, *last))
    return bodies, PageMeta(total=total, limit=limit, next_cursor=next_cursor)


def _after(values: Mapping[str, Any], sort: str) -> tuple[SortValue, str] | None:
    if values.get("cursor") is None:
        return None
    cursor = decode_cursor(values["cursor"], sort)
    return cursor.value, cursor.id


async def export(
    resource: Resource,
    store: Store,
    found: list[Condition],
    sort: str,
    after: tuple[SortValue, str] | None,
    shape: Shape,
) -> AsyncIterator[bytes]:
    """Every matching record after ``after``, in ``sort``, read one keyset page at a time.
    Its parameters are validated before it starts: once the response has begun, a problem
    document can no longer be sent."""
    first = True
    while True:
        bodies, _, after = await store.page(
            resource, found, sort.lstrip("-"), sort.startswith("-"), after, EXPORT_PAGE, shape.read
        )
        yield shape.chunk(bodies, first)
        first = False
        if after is None:
            return


async def read_facets(
    resource: Resource, store: Store, request: Request[Any, Any, Any], values: Mapping[str, Any]
) -> dict[str, list[FacetValue]]:
    """Per requested facet, its values over the filtered set, each with the list it filters."""
    found = conditions(resource, values)
    path = request.url.path
    # In the client's order (multi_items walks a set, whose order varies by process).
    given = parse_qsl(request.url.query, keep_blank_values=True)
    pairs = [(k, v) for k, v in given if k != "cursor"]
    facets = {}
    for name in dict.fromkeys(values["facet"]):
        kept = [(k, v) for k, v in pairs if k != name]
        facets[name] = [
            FacetValue(value=value, count=count, href=f"{path}?{urlencode([*kept, (name, value)])}")
            for value, count in await store.facet(resource, found, name)
        ]
    return facets


async def answer_list(
    resource: Resource, store: Store, request: Request[Any, Any, Any], values: Mapping[str, Any]
) -> Response[bytes] | Stream:
    """A list request in its negotiated representation: a stream of every match (CSV or
    NDJSON without ``limit``) or one page, with ``meta.facets`` when asked for."""
    shape = Shape.of(resource, negotiated(request, values["format"]), values["fields"])
    if shape.streams and "limit" not in request.query_params:
        sort = values["sort"]
        found, after = conditions(resource, values), _after(values, sort)
        records = export(resource, store, found, sort, after, shape)
        return Stream(records, media_type=shape.content_type)
    bodies, meta = await read_page(resource, store, values, shape.read)
    if values.get("facet"):
        facets = await read_facets(resource, store, request, values)
        meta = msgspec.structs.replace(meta, facets=facets)
    links, headers = request_links(request, meta.next_cursor)
    return Response(shape.page(bodies, meta, links), media_type=shape.content_type, headers=headers)


def conditions(resource: Resource, values: Mapping[str, Any]) -> list[Condition]:
    if values.keys() <= UNFILTERED:
        return []  # nothing but paging was given (the fast path passes only what was given)
    found = [
        link_condition(resource, name, str(values[name]))
        for name in resource.links
        if values.get(name) is not None
    ]
    for span in resource.ranges:
        low, high = values.get(span.low_param), values.get(span.high_param)
        if low is not None and high is not None and low > high:
            raise BadRequest.for_parameter(span.low_param, f"must not be after {span.high_param}")
        found += range_conditions(span, _sql_value(low), _sql_value(high))
    if values.get("q") is not None:
        found.append(text_condition(resource, fts_match("q", values["q"])))
    return found


def _sql_value(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def collection_router(resource: Resource) -> Router:
    model = resource.model
    page = page_model(resource)
    title = resource.tag

    async def list_records(
        store: NamedDependency[Store], request: Request[Any, Any, Any], **values: Any
    ) -> Response[bytes] | Stream:
        return await answer_list(resource, store, request, values)

    list_records.__annotations__["return"] = Response[page]  # type: ignore[valid-type]

    async def get_record(
        store: NamedDependency[Store],
        request: Request[Any, Any, Any],
        id: IdParameter,
        **values: Any,
    ) -> Response[bytes]:
        shape = Shape.of(resource, negotiated(request, values["format"]), values["fields"])
        return Response(shape.item(await store.body(resource, id)), media_type=shape.content_type)

    get_record.__annotations__["return"] = Response[model]  # type: ignore[valid-type]
    return Router(
        path=f"/v1/{resource.name}",
        tags=[title],
        route_handlers=[
            query_get(
                "/",
                resource.parameters,
                operation_id=f"list{title}",
                name=f"{resource.name}:list",
                summary=f"List {resource.summary}",
                description=f"Pages through {resource.summary}, filtered and sorted.",
                responses={**LIST_RESPONSES, **NEGOTIATED},
            )(list_records),
            query_get(
                "/{id:str}",
                resource.item_parameters,
                operation_id=f"get{resource.noun.capitalize()}",
                name=f"{resource.name}:get",
                summary=f"Get one of the {resource.summary}",
                description=f"One {resource.noun} by id.",
                responses={**ITEM_RESPONSES, **NEGOTIATED},
            )(get_record),
        ],
    )
