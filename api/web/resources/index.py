"""The entry point /v1, liveness (/health), readiness (/ready), metrics (/metrics) and the
JSON-LD context.

Neither check is ever cached, by the edge or by anybody else (``Cache-Control: no-store``):
a cached "ok" is how the service once said it was healthy while it could not read a record.
"""

from typing import Any

from litestar import Response, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency

from api.model.catalog import RESOURCES, Collections, Counts, Index
from api.model.models import Health
from api.web.linked import CONTEXT_PATH, context
from api.web.metrics import Metrics
from api.web.openapi import LIST_RESPONSES, NOT_READY
from api.web.representation import MEDIA
from api.web.store import Store

NO_STORE = CacheControlHeader(no_store=True)


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
    description=(
        "Answers while the process answers, with the dataset version it serves; reads nothing."
        " For a liveness probe: restart the process when this fails. Never cached."
    ),
    tags=["Index"],
    responses=LIST_RESPONSES,
    cache_control=NO_STORE,
)
async def health(store: NamedDependency[Store]) -> Health:
    return Health(status="ok", version=store.version)


@get(
    "/ready",
    operation_id="getReady",
    summary="Readiness",
    description=(
        "Reads the database file on every call; 503 when it cannot (missing, truncated,"
        " replaced by another build). For a readiness probe or a load balancer's health"
        " check: send no traffic while this fails. Never cached."
    ),
    tags=["Index"],
    responses={**LIST_RESPONSES, 503: NOT_READY},
    cache_control=NO_STORE,
)
async def ready(store: NamedDependency[Store]) -> Health:
    await store.ready()
    return Health(status="ok", version=store.version)


#: Prometheus's text exposition format, version 0.0.4.
PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"


@get("/metrics", include_in_schema=False, cache_control=NO_STORE)
async def metrics(metrics: NamedDependency[Metrics]) -> Response[bytes]:
    """Every worker's counts, summed (api/web/metrics.py): for a scraper on the private network,
    not in the public document (the reference proxy answers it with 404)."""
    return Response(metrics.render(), media_type=PROMETHEUS)


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
