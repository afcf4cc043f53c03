"""The entry point /v1 and the liveness check /health."""

from litestar import get
from litestar.di import NamedDependency

from api.model.catalog import RESOURCES, Collections, Counts, Index
from api.model.models import Health
from api.web.openapi import LIST_RESPONSES
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
        collections=Collections(**{r.name: f"/v1/{r.name}" for r in RESOURCES}),
        counts=Counts(**await store.counts()),
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
