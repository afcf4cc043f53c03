"""An app for tests/test_operations.py, served by granian as the service is (``python -m
bench.serve tests.cut_stream:create``): the edge in front of an app whose chunked stream fails
after its first part, as an export does when its disk goes away."""

from typing import Any, cast

from litestar.types import ASGIApp

from api.web.access import AccessLog
from api.web.edge import Edge

PART = b"id,text\r\n"


async def _failing(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": f"{message['type']}.complete"})
            if message["type"] == "lifespan.shutdown":
                return
    start = {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"a/b")]}
    await send(start)
    if scope["path"] == "/ready":
        await send({"type": "http.response.body", "body": b"ok"})
        return
    await send({"type": "http.response.body", "body": PART, "more_body": True})
    raise RuntimeError("the export's disk went away")


def create() -> Edge:
    access = AccessLog(1, enabled=True, plain=False)
    return Edge(cast(ASGIApp, _failing), "test", 1 << 20, 60, access=access)
