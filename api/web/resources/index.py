"""The entry point /v1, the liveness check /health and the JSON-LD context."""

from typing import Any

from litestar import get
from litestar.di import NamedDependency

from api.model.catalog import RESOURCES
from api.model.models import Health, Index
from api.web.linked import CONTEXT_PATH, context
from api.web.openapi import LIST_RESPONSES
from api.web.representation import MEDIA
from api.web.store import Store


@get(
    "/v1",
    operation_id="getIndex",
    summary="Index of the API",
    description="Links to every collection, the dataset version and the record count of each.",
    tags=["Index"],
    responses=LIST_RESPONSES,
)
async def index(store: NamedDependency[Store]) -> Index:
    meta = await store.meta()
    return Index(
        version=meta["version"],
        # Only what answers a plain GET: search needs its q, so the document describes it.
        collections={r.name: f"/v1/{r.name}" for r in RESOURCES},
        counts=await store.counts(),
    )


@get(
    "/health",
    operation_id="getHealth",
    summary="Liveness",
    description="Answers while the service can read its database, with the dataset version.",
    tags=["Index"],
    responses=LIST_RESPONSES,
)
async def health(store: NamedDependency[Store]) -> Health:
    meta = await store.meta()
    return Health(status="ok", version=meta["version"])


@get(
    CONTEXT_PATH,
    operation_id="getContext",
    summary="The JSON-LD context",
    description="What the terms of the jsonld representation mean: schema.org where it has them.",
    tags=["Index"],
    media_type=MEDIA["jsonld"],
    responses=LIST_RESPONSES,
)
async def json_ld_context() -> dict[str, Any]:
    return context()
