"""Full-text search over every resource and the article texts, with typed hits and snippets."""

from collections.abc import Mapping
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.di import NamedDependency

from api.model.catalog import SEARCH, SEARCHED
from api.model.models import PageLinks, PageMeta, SearchHit
from api.web.openapi import LIST_RESPONSES
from api.web.query import Cursor, decode_rank_cursor, encode_cursor, fts_match, query_words
from api.web.representation import envelope
from api.web.resources.collection import JSON, request_links
from api.web.signature import query_get
from api.web.store import MAX_RANKED, MAX_SCORED, MAX_WEIGHED, Store


class SearchPage(msgspec.Struct, kw_only=True):
    """Search results, best match first."""

    data: list[SearchHit]
    meta: PageMeta
    links: PageLinks


@query_get(
    "/v1/search",
    SEARCH,
    operation_id="search",
    summary="Search every resource",
    description=(
        "Matches every word of `q` (the last one as a prefix) in every resource with text"
        f" ({', '.join(SEARCHED)}; an article by its whole text). Hits are ranked best first"
        " (BM25); snippets wrap matches in [ and ]. A search too broad to rank is a 400 problem"
        " whose `errors` names `q` and says how to narrow it: more than"
        f" {MAX_RANKED:,} matching records, or more than its budget of CPU time to count them"
        " (add words, or spell out more of the last one), more than"
        f" {MAX_SCORED:,} matches times words (BM25 scores each match for each word: use"
        " fewer or rarer words), or words held by more than"
        f" {MAX_WEIGHED:,} records in all (BM25 reads every one to weigh a word: leave out the"
        " most common)."
    ),
    tags=["Search"],
    responses=LIST_RESPONSES,
)
async def search(
    store: NamedDependency[Store], request: Request[Any, Any, Any], **values: Any
) -> Response[SearchPage]:
    hits, meta = await read_hits(store, values)
    links, headers = request_links(request, meta.next_cursor)
    return Response(envelope(hits, meta, links), media_type=JSON, headers=headers)  # type: ignore[arg-type]


async def read_hits(store: Store, values: Mapping[str, Any]) -> tuple[list[bytes], PageMeta]:
    """The encoded hits of one page of a validated search, and its meta."""
    cursor, limit = values.get("cursor"), values["limit"]
    after = None if cursor is None else decode_rank_cursor(cursor)
    match, words = fts_match("q", values["q"]), query_words(values["q"])
    rows, total, last = await store.search(match, words, values.get("type"), after, limit)
    hits = [
        msgspec.json.encode(SearchHit(type=r[0], id=r[1], name=r[2], href=r[3], snippet=r[4]))
        for r in rows
    ]
    next_cursor = None if last is None else encode_cursor(Cursor("rank", last[0], str(last[1])))
    return hits, PageMeta(total=total, limit=limit, next_cursor=next_cursor)
