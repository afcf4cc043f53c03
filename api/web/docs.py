"""The interactive docs page: Swagger UI, every asset served from the installed package."""

import importlib.util
from functools import cache
from pathlib import Path

from litestar import Response, Router, get
from litestar.params import FromPath

from api.model.errors import NotFound

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
PAGE = b"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Article Facts API</title>
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/docs.js"></script>
</body>
</html>
"""
MEDIA_TYPES = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
    "docs.js": "text/javascript; charset=utf-8",
}


def _swagger_static() -> Path:
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the swagger-ui-py package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


@cache
def asset(name: str) -> bytes:
    if name == "docs.js":
        return (Path(__file__).parent / "static" / name).read_bytes()
    return (_swagger_static() / name).read_bytes()


@get("/", include_in_schema=False)
async def docs_page() -> Response[bytes]:
    return Response(PAGE, media_type="text/html", headers={"Content-Security-Policy": CSP})


@get("/assets/{name:str}", include_in_schema=False)
async def docs_asset(name: FromPath[str]) -> Response[bytes]:
    if name not in MEDIA_TYPES:
        raise NotFound(f"no docs asset {name!r}")
    return Response(asset(name), media_type=MEDIA_TYPES[name])


docs_router = Router(path="/docs", route_handlers=[docs_page, docs_asset], include_in_schema=False)
