"""The docs page: Swagger UI from packaged assets, rendered in headless Chromium, offline."""

import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from litestar.testing import TestClient

from api.web.docs import CSP, MEDIA_TYPES
from tests.chromium import FLAGS, executable, page_requests


def test_the_docs_page_uses_only_its_own_assets(client: TestClient[Any]) -> None:
    response = client.get("/docs")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == CSP
    assert "http" not in response.text
    for name, media_type in MEDIA_TYPES.items():
        asset = client.get(f"/docs/assets/{name}")
        assert asset.status_code == 200, name
        text = media_type.startswith("text/")
        assert asset.headers["content-type"] == media_type + "; charset=utf-8" * text, name
        assert len(asset.content) > 100


def test_unknown_docs_assets_are_404s(client: TestClient[Any]) -> None:
    assert client.get("/docs/assets/swagger-editor-bundle.js").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/schema",
        "/schema/swagger",
        "/schema/redoc",
        "/schema/elements",
        "/schema/rapidoc",
        "/schema/scalar",
        "/schema/openapi.yaml",
        "/schema/openapi.yml",
    ],
)
def test_litestars_other_doc_routes_are_404_problems(client: TestClient[Any], path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.browser
def test_chromium_renders_every_operation_without_leaving_127_0_0_1(
    live_server: str, tmp_path: Path, client: TestClient[Any]
) -> None:
    net_log = tmp_path / "net.json"
    dom = subprocess.run(
        [
            executable(),
            *FLAGS,
            "--virtual-time-budget=20000",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--log-net-log={net_log}",
            "--dump-dom",
            f"{live_server}/docs",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    document = client.get("/schema/openapi.json").json()
    paths = set(document["paths"])
    rendered = {part.split('"')[0] for part in dom.split('data-path="')[1:]}
    assert rendered == paths
    page = page_requests(net_log, urlsplit(live_server).hostname or "")
    assert {urlsplit(url).path for url in page} >= {
        "/docs",
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/swagger-ui.css",
        "/schema/openapi.json",
    }
    assert {urlsplit(url).netloc for url in page} == {urlsplit(live_server).netloc}
