"""The JSON Schemas of schemas/, published by the service."""

from functools import cache
from typing import Annotated, Any

from litestar import Response, get
from litestar.params import Parameter

from api.build import schemas
from api.model.errors import NotFound
from api.web.openapi import ITEM_RESPONSES, LIST_RESPONSES

SCHEMA_JSON = "application/schema+json"


@cache
def _files() -> dict[str, bytes]:
    return {name.removesuffix(".schema.json"): data for name, data in schemas.rendered().items()}


@get(
    "/v1/schemas",
    operation_id="listSchemas",
    summary="List the JSON Schemas",
    description=(
        "Links to the JSON Schema (draft 2020-12) of every resource and fixture shape. Each"
        " schema's name and the OpenAPI component it describes: "
        + ", ".join(f"`{name}` = `{model.__name__}`" for name, model in schemas.PUBLISHED.items())
        + " (`fixture` is the shape of the curated fixture files, not of a response)."
    ),
    tags=["Index"],
    responses=LIST_RESPONSES,
)
async def list_schemas() -> dict[str, str]:
    return {name: f"/v1/schemas/{name}" for name in sorted(_files())}


@get(
    "/v1/schemas/{name:str}",
    operation_id="getSchema",
    summary="Get a JSON Schema",
    description="The JSON Schema of one model, as committed under schemas/.",
    tags=["Index"],
    media_type=SCHEMA_JSON,
    responses=ITEM_RESPONSES,
)
async def get_schema(
    name: Annotated[
        str, Parameter(pattern=r"^[a-z-]+$", max_length=40, description="Schema name.")
    ],
) -> Response[dict[str, Any]]:
    data = _files().get(name)
    if data is None:
        raise NotFound(f"no schema named {name!r}")
    return Response(data, media_type=SCHEMA_JSON)  # type: ignore[arg-type]
