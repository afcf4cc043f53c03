"""HTTP behaviour: ETag and 304, HEAD, caching headers, CORS and security headers."""

import shutil
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from api.model.tables import recorded
from api.revision import PACKAGE, revision
from api.settings import Settings
from api.web.app import create_app
from api.web.edge import Edge, etag_matches

PATHS = [
    "/v1",
    "/v1/quotes",
    "/v1/quotes?limit=2&sort=-date",
    "/v1/people/vladimir-putin",
    "/v1/search?q=terror",
    "/v1/articles/russia-taps-sco-and-csto-to-counter-islamic-state/text?start=0&end=10",
    "/schema/openapi.json",
    "/docs",
]


@pytest.mark.parametrize("path", PATHS)
def test_every_200_has_a_strong_etag_and_revalidates_to_304(
    client: TestClient[Any], path: str
) -> None:
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('"')
    assert etag.endswith('"')
    assert first.headers["cache-control"].startswith("public, max-age=")
    assert int(first.headers["content-length"]) == len(first.content)
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert client.get(path, headers={"If-None-Match": '"other", ' + etag}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize("path", PATHS)
def test_head_is_get_without_a_body(client: TestClient[Any], path: str) -> None:
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code
    assert head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["content-type"] == get.headers["content-type"]


def test_a_different_representation_has_a_different_etag(client: TestClient[Any]) -> None:
    etags = {client.get(path).headers["etag"] for path in PATHS}
    assert len(etags) == len(PATHS)


def test_errors_are_not_cacheable(client: TestClient[Any]) -> None:
    response = client.get("/v1/quotes/no-such-quote")
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


@pytest.mark.parametrize("path", ["/health", "/ready"])
def test_the_health_checks_are_never_cached(
    client: TestClient[Any], settings: Settings, path: str
) -> None:
    for method in ("GET", "HEAD", "GET"):
        response = client.request(method, path, headers={"If-None-Match": "*"})
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers
    assert client.get(path).json() == {"status": "ok", "version": recorded(settings.database)}


def test_a_response_routed_for_a_head_is_not_kept(settings: Settings) -> None:
    """A handler may leave out a HEAD's body (api/web/edge.py HEAD_ONLY), so what routing made
    for a HEAD never reaches a later GET: the GET is answered anew, whole."""
    app = create_app(settings)
    assert isinstance(app, Edge)
    path = "/v1/quotes?format=ndjson&limit=2"  # not the fast path's: routed
    identity = {"Accept-Encoding": "identity"}
    with TestClient(app=app) as fresh:
        head = fresh.head(path, headers=identity)
        assert (head.status_code, head.content) == (200, b"")
        assert app.held()[0] == 0
        got = fresh.get(path, headers=identity)
        assert got.headers["content-length"] == head.headers["content-length"]
        assert len(got.content) == int(got.headers["content-length"]) > 0
        assert app.held()[0] == 1


def test_responses_are_compact_utf8_json(client: TestClient[Any]) -> None:
    response = client.get("/v1/quotes")
    assert response.headers["content-type"] == "application/json"
    assert b"\n" not in response.content
    assert b": " not in response.content.split(b'"text"')[0]
    assert "\u2019" in response.content.decode("utf-8")  # the article's apostrophe, unescaped


def test_cors_allows_any_origin_read_only(client: TestClient[Any]) -> None:
    response = client.get("/v1/quotes", headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = {
        h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
    }
    assert {"etag", "link"} <= exposed
    assert "access-control-allow-credentials" not in response.headers
    preflight = client.options(
        "/v1/quotes",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert "POST" not in preflight.headers["access-control-allow-methods"]


@pytest.mark.parametrize("path", ["/v1/search?q=x", "/v1/quotes?limit=1&nonsense=1", "/v1"])
@pytest.mark.parametrize("cors", [False, True])
def test_options_answers_whatever_the_query_string(
    client: TestClient[Any], path: str, cors: bool
) -> None:
    preflight = {"Origin": "https://example.org", "Access-Control-Request-Method": "GET"}
    response = client.options(path, headers=preflight if cors else {})
    assert response.status_code == 204
    allowed = response.headers["access-control-allow-methods" if cors else "allow"]
    assert {m.strip() for m in allowed.split(",")} == {"GET", "HEAD", "OPTIONS"}


@pytest.mark.parametrize("path", ["/v1/quotes", "/v1/quotes/nope", "/docs"])
def test_security_headers_on_every_response(client: TestClient[Any], path: str) -> None:
    response = client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_posts_are_refused_with_the_same_headers(client: TestClient[Any]) -> None:
    response = client.post("/v1/quotes", content=b"{}")
    assert response.status_code == 405
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("header", "matches"),
    [('"a"', True), ('W/"a"', True), ('"b", "a"', True), ("*", True), ('"b"', False), ("", False)],
)
def test_if_none_match_uses_weak_comparison(header: str, matches: bool) -> None:
    assert etag_matches(header.encode(), b'"a"') is matches


async def same_body(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An application whose every response is the same 200, whatever it is asked."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"same", "more_body": False})


def etag_from(version: str, cache_bytes: int, url: str) -> str:
    with TestClient(app=Edge(same_body, version, cache_bytes, 60)) as edge:  # type: ignore[arg-type]
        response = edge.get(url)
    assert response.content == b"same"
    return response.headers["etag"]


def test_an_etag_names_the_build_and_the_request_not_the_process() -> None:
    first = etag_from("build-1", 1 << 20, "/a?x=1")
    assert etag_from("build-1", 0, "/a?x=1") == first  # cached or not, any process
    assert etag_from("build-2", 0, "/a?x=1") != first  # every build, new validators
    assert etag_from("build-1", 0, "/a?x=2") != first
    assert etag_from("build-1", 0, "/b?x=1") != first


def test_the_revision_changes_with_any_module_of_the_package(tmp_path: Path) -> None:
    package = tmp_path / "api"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    first = revision("data-1", package)
    assert revision("data-1", package) == first == revision("data-1")
    assert revision("data-2", package) != first
    envelope = package / "web" / "representation.py"
    envelope.write_text(envelope.read_text().replace("b'{\"data\":['", "b'{\"items\":['"))
    changed = revision("data-1", package)
    assert changed != first
    (package / "web" / "resources" / "extra.py").write_text("")
    added = revision("data-1", package)
    assert added not in (first, changed)
    script = package / "web" / "static" / "viewer.js"
    script.write_text(script.read_text() + "\n")
    assert revision("data-1", package) not in (first, changed, added)
