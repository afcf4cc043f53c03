"""The text of an article, whole or a span of it."""

from typing import Any

from litestar import Response
from litestar.di import NamedDependency

from api.model.errors import BadRequest
from api.model.parameters import Constraints, QueryParameter
from api.web.openapi import ITEM_RESPONSES
from api.web.resources.collection import IdParameter
from api.web.signature import query_get
from api.web.store import Store

OFFSETS = tuple(
    QueryParameter(
        name=name,
        annotation=int,
        description="Code point offset; see evidence start/end.",
        constraints=Constraints(ge=0, le=10_000_000),
        # Litestar leaves a falsy bound (ge=0) out of the document; state it explicitly.
        documented={"minimum": 0},
    )
    for name in ("start", "end")
)


@query_get(
    "/v1/articles/{id:str}/text",
    OFFSETS,
    operation_id="getArticleText",
    summary="Get the text of an article",
    description="The article text as UTF-8 plain text, or the span [start, end) in code points.",
    tags=["Articles"],
    media_type="text/plain",
    responses=ITEM_RESPONSES,
)
async def article_text(
    store: NamedDependency[Store], id: IdParameter, **values: Any
) -> Response[str]:
    text = await store.text(id)
    start, end = values["start"], values["end"]
    low = 0 if start is None else start
    high = len(text) if end is None else end
    if low > len(text):
        raise BadRequest.for_parameter("start", f"must be at most the text length {len(text)}")
    if high > len(text):
        raise BadRequest.for_parameter("end", f"must be at most the text length {len(text)}")
    if low > high:
        raise BadRequest.for_parameter("start", "must not be after end")
    return Response(text[low:high], media_type="text/plain")
