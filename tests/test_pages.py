"""The pages for people: the home page and an article with every fact marked on its words.

The marks are held to what the JSON API serves: the set of (data-start, data-end) on the page is
the set of evidence spans the API serves for the article, and each mark's facts are the records
whose evidence it is. Every list operation with an ``article`` filter counts, so a resource added
to the catalog is checked here with no change.
"""

import asyncio
import json
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import html5lib
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar.testing import TestClient

from api.model.catalog import ARTICLES, RESOURCES, Resource
from api.settings import ROOT, Settings
from api.web.app import create_app
from api.web.edge import Edge
from api.web.marks import marked
from api.web.pages import CSP
from api.web.resources.pages import every
from api.web.store import Store
from tests.conftest import spans

ARTICLE = "russia-taps-sco-and-csto-to-counter-islamic-state"
PAGE = f"/articles/{ARTICLE}"
ASSETS = (("viewer.css", "/assets/viewer.css"), ("favicon.svg", "/assets/favicon.svg"))
VNU = ROOT / "tools" / "npm" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
Spans = dict[tuple[int, int], set[str]]


def served_spans(client: TestClient[Any], article: str) -> Spans:
    """Every evidence span the API serves for ``article``, with the records (collection/id) it
    supports: the article's own record and every record its collections' ``article`` filter
    finds, page by page."""
    found: Spans = defaultdict(set)
    records = [client.get(ARTICLES.href(article)).json()]
    for resource in RESOURCES:
        if "article" not in resource.links:
            continue
        path: str | None = f"/v1/{resource.name}?article={article}&limit=500"
        while path is not None:
            page = client.get(path).json()
            records += page["data"]
            path = page["links"]["next"]
    for record in records:
        key = record["href"].removeprefix("/v1/")
        for span in spans(record):
            if span["article"] == article:
                found[(span["start"], span["end"])].add(key)
    return dict(found)


def parse(html: str) -> Element:
    """The document as html5lib's strict parser reads it: any parse error fails."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    tree: Element = parser.parse(html)
    return tree


def text_of(element: Element) -> str:
    return "".join(element.itertext())


def marks_of(tree: Element) -> dict[tuple[int, int], list[Element]]:
    """The marks of the article text by span, in document order."""
    box = tree.find(".//div[@id='text']")
    assert box is not None
    found: dict[tuple[int, int], list[Element]] = defaultdict(list)
    for mark in box.iter("mark"):
        found[(int(mark.attrib["data-start"]), int(mark.attrib["data-end"]))].append(mark)
    return found


def assert_marks(text: str, marks: dict[tuple[int, int], list[Element]], facts: Spans) -> None:
    """Each span is marked once, as one element with its exact text, or as numbered pieces
    that join to it; each mark names exactly the facts of its span."""
    assert set(marks) == set(facts)
    for (start, end), elements in marks.items():
        exact = text[start:end]
        assert "".join(text_of(element) for element in elements) == exact
        for part, element in enumerate(elements, 1):
            assert set(element.attrib["data-facts"].split()) == facts[(start, end)]
            if len(elements) == 1:
                assert "data-part" not in element.attrib
                assert text_of(element) == exact
            else:
                assert element.attrib["data-part"] == f"{part}/{len(elements)}"


@st.composite
def marked_text(draw: st.DrawFn) -> tuple[str, Spans]:
    text = draw(st.text(alphabet="ab\u2019\u201c\u201d\u2026<&>\n ", min_size=1, max_size=60))
    bounds = st.tuples(st.integers(0, len(text) - 1), st.integers(1, len(text))).filter(
        lambda pair: pair[0] < pair[1]
    )
    chosen = draw(st.lists(bounds, max_size=12))
    keys = st.sets(st.sampled_from(["quotes/a", "members/b", "people/c"]), min_size=1)
    return text, {span: draw(keys) for span in chosen}


@given(marked_text())
def test_any_spans_nested_or_crossing_are_marked_exactly(case: tuple[str, Spans]) -> None:
    text, facts = case
    tree = parse(f'<!DOCTYPE html><title>t</title><div id="text">{marked(text, facts)}</div>')
    box = tree.find(".//div[@id='text']")
    assert box is not None
    assert text_of(box) == text
    assert_marks(text, marks_of(tree), facts)


@pytest.fixture(scope="module")
def served(client: TestClient[Any]) -> Spans:
    return served_spans(client, ARTICLE)


@pytest.fixture(scope="module")
def page(client: TestClient[Any]) -> Element:
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return parse(response.text)


def test_the_article_page_marks_every_span_the_api_serves(
    page: Element, served: Spans, article_text: str
) -> None:
    box = page.find(".//div[@id='text']")
    assert box is not None
    assert text_of(box) == article_text
    marks = marks_of(page)
    assert_marks(article_text, marks, served)
    # The seed's typography is where offsets in bytes or UTF-16 would shift a mark.
    assert any(
        set(article_text[start:end]) & set("\u2019\u201c\u201d\u2026") for start, end in marks
    )
    # The real article's spans cross, so some spans are marked in pieces.
    assert any(a[0] < b[0] < a[1] < b[1] for a in served for b in served)
    assert any(len(elements) > 1 for elements in marks.values())


def test_the_article_page_lists_every_fact_by_kind_with_its_json(
    page: Element, served: Spans, client: TestClient[Any]
) -> None:
    listed = {
        item.attrib["data-fact"]: item for item in page.iter("li") if "data-fact" in item.attrib
    }
    assert set(listed) == set().union(*served.values())
    groups = [
        heading.attrib["id"].removeprefix("group-")
        for heading in page.iter("h3")
        if heading.attrib.get("id", "").startswith("group-")
    ]
    kinds = {key.split("/")[0] for key in listed}
    assert groups == [resource.name for resource in RESOURCES if resource.name in kinds]
    ids = {element.attrib["id"] for element in page.iter() if "id" in element.attrib}
    for key, item in listed.items():
        links = list(item.iter("a"))
        assert links[0].attrib["href"] == f"/v1/{key}"
        assert client.get(links[0].attrib["href"]).status_code == 200
        quoted = {link.attrib["href"].removeprefix("#") for link in links[1:]}
        own = {f"s-{start}-{end}" for (start, end), keys in served.items() if key in keys}
        assert quoted == own
        assert quoted <= ids


def test_the_pages_and_their_files_pass_the_nu_html_checker(
    client: TestClient[Any], tmp_path: Path
) -> None:
    java = shutil.which("java")
    assert java, "the Nu HTML Checker runs on Java; the machine has none"
    files = []
    for name, path in (("home.html", "/"), ("article.html", PAGE), *ASSETS):
        files.append(tmp_path / name)
        files[-1].write_bytes(client.get(path).content)
    checked = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--also-check-css", "--also-check-svg"]
        + [str(file) for file in files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(checked.stderr)
    assert report["messages"] == []
    assert checked.returncode == 0


def test_the_pages_load_only_their_own_files_under_a_strict_csp(client: TestClient[Any]) -> None:
    for path in ("/", PAGE):
        response = client.get(path)
        assert response.headers["content-security-policy"] == CSP
        tree = parse(response.text)
        assets = [e.attrib["src"] for e in tree.iter("script")]
        assets += [e.attrib["href"] for e in tree.iter("link")]
        for element in tree.iter():
            assert "style" not in element.attrib
            assert not any(name.startswith("on") for name in element.attrib)
        assert all(text_of(script) == "" for script in tree.iter("script"))
        for asset in assets:
            assert asset.startswith("/assets/")
            fetched = client.get(asset)
            assert fetched.status_code == 200, asset
            kind = fetched.headers["content-type"].split(";")[0]
            assert kind in {"text/css", "text/javascript", "image/svg+xml"}
    assert "'unsafe-inline'" not in CSP
    assert "script-src 'self';" in CSP


def test_the_home_page_links_every_article_and_the_api(client: TestClient[Any]) -> None:
    tree = parse(client.get("/").text)
    links = {link.attrib["href"] for link in tree.iter("a")}
    articles = client.get("/v1/articles?limit=500").json()["data"]
    assert {f"/articles/{article['id']}" for article in articles} <= links
    assert {"/v1", "/docs", "/schema/openapi.json", "/v1/schemas"} <= links
    for link in links - {"#main"}:
        assert client.get(link).status_code == 200, link


@pytest.mark.parametrize("path", ["/", PAGE, "/assets/viewer.js", "/assets/viewer.css"])
def test_pages_and_assets_are_cached_revalidate_and_answer_head(
    settings: Settings, path: str
) -> None:
    edge = create_app(settings)
    assert isinstance(edge, Edge)
    with TestClient(app=edge) as client:
        first = client.get(path)
        assert any(key[:2] == (path, b"") for key in edge._entries)  # kept by the cache
        etag = first.headers["etag"]
        assert first.headers["cache-control"].startswith("public")
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
        head = client.head(path)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == etag
    assert head.headers["content-length"] == first.headers["content-length"]


def test_an_unknown_article_page_is_a_404_problem(client: TestClient[Any]) -> None:
    response = client.get("/articles/no-such-article")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/assets/no-such-file.js").status_code == 404


def test_the_page_reads_every_page_of_a_collection(
    settings: Settings, client: TestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("api.web.resources.pages.MOST", 2)  # many pages of two records

    async def read(resource: Resource) -> list[bytes]:
        store = await Store.open(settings.database)
        try:
            return await every(store, resource, [])
        finally:
            await store.close()

    for resource in RESOURCES:
        listed = client.get(f"/v1/{resource.name}?limit=500").json()["data"]
        read_ids = [msgspec.json.decode(body)["id"] for body in asyncio.run(read(resource))]
        assert read_ids == sorted(record["id"] for record in listed)
