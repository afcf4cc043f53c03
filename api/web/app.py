"""The application factory: wiring only."""

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Router
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.types import ASGIApp

from api.model.catalog import RESOURCES
from api.model.tables import recorded
from api.revision import revision
from api.settings import Settings
from api.web.access import AccessLog
from api.web.docs import docs_router
from api.web.edge import Edge
from api.web.fast import FastPath
from api.web.metrics import Metrics
from api.web.openapi import examples, openapi_config
from api.web.problems import EXCEPTION_HANDLERS
from api.web.query import known_parameters
from api.web.resources.articles import article_text
from api.web.resources.collection import collection_router
from api.web.resources.downloads import Shelf, download
from api.web.resources.index import health, index, json_ld_context, metrics, ready
from api.web.resources.pages import article, assets, home
from api.web.resources.schema_files import get_schema, list_schemas
from api.web.resources.search import search
from api.web.store import Opened, Store, samples


def only_the_document(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard for Litestar's schema router: /schema/openapi.json only, other doc pages 404."""
    if connection.scope["path"] != "/schema/openapi.json":
        raise NotFoundException()


def create_litestar(settings: Settings, version: str, opened: Opened, counted: Metrics) -> Litestar:
    """Litestar over the database; while it runs, ``opened.store`` is its open Store."""

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncGenerator[None, None]:
        await opened.open(settings.database)
        try:
            yield
        finally:
            await opened.close()

    async def provide_store() -> Store:
        return opened.store

    async def provide_metrics() -> Metrics:
        return counted

    shelf = Shelf.beside(settings.database, version)

    async def provide_shelf() -> Shelf:
        return shelf

    found = examples(samples(settings.database))
    if shelf.files:
        found["download"] = shelf.files[0].name
    config = openapi_config(version, found, settings.public_url)
    config.openapi_router = Router(
        "/schema", route_handlers=[], guards=[only_the_document], include_in_schema=False
    )
    app = Litestar(
        route_handlers=[
            *(collection_router(resource) for resource in RESOURCES),
            article_text,
            search,
            index,
            download,
            health,
            ready,
            metrics,
            json_ld_context,
            list_schemas,
            get_schema,
            docs_router,
            home,
            article,
            assets,
        ],
        dependencies={
            "store": Provide(provide_store),
            "shelf": Provide(provide_shelf),
            "metrics": Provide(provide_metrics),
        },
        guards=[known_parameters],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=config,
        lifespan=[lifespan],
        debug=False,
    )
    return app


def create_app(settings: Settings | None = None) -> ASGIApp:
    """The service: Litestar behind the HTTP edge, over the database ``settings`` names."""
    settings = settings or Settings.from_env()
    version = recorded(settings.database)
    if version is None:
        raise RuntimeError(f"no built database at {settings.database}; run python -m api build")
    opened = Opened()
    current = revision(version)  # a digest of every file of the package: read once
    counted = Metrics(version, current, settings.metrics_dir)
    counted.reads = opened.reads
    litestar = create_litestar(settings, version, opened, counted)
    fast = FastPath(opened) if settings.fast_path else None
    logged = settings.log_level in ("debug", "info")
    access = AccessLog(1, enabled=logged, plain=settings.log_format == "plain")
    return Edge(
        litestar,
        current,
        settings.cache_bytes,
        settings.max_age,
        shortcut=fast,
        access=access,
        metrics=counted,
    )
