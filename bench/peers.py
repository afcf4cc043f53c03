"""The reference apps the service is measured against, served under the same granian settings.

* ``limit``: a raw ASGI callable returning precomputed bytes, the ceiling of the server stack.
* ``limit_responses``: the same, returning the service's own responses (status, headers and
  body, captured beforehand), chosen by path and query: the limit for each cached case.
* ``litestar_constant``: a minimal Litestar route returning the same bytes.
* ``litestar_same_bytes``: the same route returning the bytes of a file (like for like).
* ``litestar_aiosqlite``: a Litestar route doing one aiosqlite read per request (the usual way).

Each is a factory (granian runs them with ``factory=True``, like the service).
"""

import base64
import json
import os
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
from litestar import Litestar, Response, get

Messages = tuple[dict[str, Any], dict[str, Any]]
BODY = b'{"data":[],"meta":{"total":0,"limit":50,"next_cursor":null}}'


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _messages(status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Messages:
    start = {"type": "http.response.start", "status": status, "headers": headers}
    return start, {"type": "http.response.body", "body": body, "more_body": False}


def _constant(body: bytes) -> Any:
    length = str(len(body)).encode()
    start, end = _messages(
        200, [(b"content-type", b"application/json"), (b"content-length", length)], body
    )

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        await send(start)
        await send(end)

    return app


def limit() -> Any:
    """The limit: constant bytes straight from ASGI, no framework."""
    return _constant(BODY)


def limit_responses() -> Any:
    """The limit for the service's own responses: the file ``BENCH_RESPONSES`` names holds, per
    path, query and whether the request revalidates (sends If-None-Match), the status, headers
    and body the service answers (bench/cases.py captures them). Nothing is computed per request
    beyond choosing one: what is left between this and the cached service is the edge's work."""
    answers: dict[tuple[str, bytes, bool], Messages] = {}
    for row in json.loads(Path(os.environ["BENCH_RESPONSES"]).read_text()):
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in row["headers"]]
        body = base64.b64decode(row["body"])
        answers[row["path"], row["query"].encode(), row["conditional"]] = _messages(
            row["status"], headers, body
        )

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        conditional = any(name == b"if-none-match" for name, _ in scope["headers"])
        start, end = answers[scope["path"], scope["query_string"], conditional]
        await send(start)
        await send(end)

    return app


def _litestar(body: bytes) -> Litestar:
    @get("/", media_type="application/json")
    async def constant() -> Response[bytes]:
        return Response(body, media_type="application/json")

    return Litestar(route_handlers=[constant], openapi_config=None, debug=False)


def litestar_constant() -> Litestar:
    """A minimal Litestar route returning the same constant bytes."""
    return _litestar(BODY)


def litestar_same_bytes() -> Litestar:
    """The same route returning the bytes of the file ``BENCH_BODY`` names."""
    return _litestar(Path(os.environ["BENCH_BODY"]).read_bytes())


def litestar_aiosqlite() -> Litestar:
    """Litestar plus one aiosqlite primary-key read per request (the body is stored JSON)."""
    path = os.environ["ARTICLE_FACTS_DB"]
    state: dict[str, aiosqlite.Connection] = {}

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncGenerator[None, None]:
        state["db"] = await aiosqlite.connect(f"file:{path}?mode=ro", uri=True)
        try:
            yield
        finally:
            await state["db"].close()

    @get("/{id:str}", media_type="application/json")
    async def quote(id: str) -> Response[bytes]:
        async with state["db"].execute("select body from quotes where id = ?", (id,)) as cursor:
            row = await cursor.fetchone()
        return Response(bytes(row[0]) if row else b"null", media_type="application/json")

    return Litestar(route_handlers=[quote], lifespan=[lifespan], openapi_config=None, debug=False)
