"""The article page in headless Chromium, served by the real server on 127.0.0.1.

What the browser builds from the page is held to the API (the marks' spans and texts), a real
click on a quote lights that quote's words, axe-core finds no accessibility violation, the page
reflows at 320 CSS pixels (400 % zoom of a 1280 pixel window) and asks nothing of any other
host. Screenshots and the page's weight and first paint go to build/viewer/ for people to read.
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from litestar.testing import TestClient

from api.settings import ROOT
from tests.chromium import Browser, page_requests
from tests.test_pages import ARTICLE, PAGE, Spans, served_spans

pytestmark = pytest.mark.browser
OUT = ROOT / "build" / "viewer"
AXE = ROOT / "tools" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
MARKS = """[...document.querySelectorAll('#text mark')].map(m =>
  [+m.dataset.start, +m.dataset.end, m.dataset.part || '', m.textContent, m.dataset.facts,
   m.classList.contains('lit')])"""
WEIGHT = """new Promise(resolve => new PerformanceObserver((list, observer) => {
  const paint = Object.fromEntries(performance.getEntriesByType('paint')
    .map(p => [p.name, p.startTime]));
  if (!('first-contentful-paint' in paint)) return;
  observer.disconnect();
  const [page] = performance.getEntriesByType('navigation');
  const files = performance.getEntriesByType('resource');
  resolve({requests: 1 + files.length,
           transferred: [page, ...files].reduce((sum, e) => sum + e.transferSize, 0),
           bodies: [page, ...files].reduce((sum, e) => sum + e.decodedBodySize, 0),
           files: files.map(e => new URL(e.name).pathname),
           first_paint_ms: paint['first-paint'],
           first_contentful_paint_ms: paint['first-contentful-paint'],
           load_event_ms: page.loadEventStart});
}).observe({type: 'paint', buffered: true}))"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    folder = tmp_path_factory.mktemp("chromium")
    opened = Browser(folder / "profile", folder / "net.json")
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(scope="module")
def served(client: TestClient[Any]) -> Spans:
    return served_spans(client, ARTICLE)


def marks(browser: Browser) -> list[list[Any]]:
    found: list[list[Any]] = browser.evaluate(MARKS)
    return found


def test_chromium_shows_every_span_the_api_serves_on_its_words(
    browser: Browser, live_server: str, served: Spans, article_text: str
) -> None:
    browser.open(f"{live_server}{PAGE}", 1280, 900)
    rendered = marks(browser)
    assert {(start, end) for start, end, *_ in rendered} == set(served)
    joined: dict[tuple[int, int], str] = {}
    for start, end, part, text, facts, _ in rendered:
        assert set(facts.split()) == served[(start, end)]
        if not part:
            assert text == article_text[start:end]
        joined[(start, end)] = joined.get((start, end), "") + text
    assert all(text == article_text[start:end] for (start, end), text in joined.items())
    assert browser.evaluate("document.getElementById('text').textContent") == article_text
    first = browser.evaluate(WEIGHT)
    own = {"/assets/viewer.css", "/assets/viewer.js"}
    assert own <= set(first["files"]) <= {*own, "/assets/favicon.svg"}
    browser.screenshot(OUT / "desktop.png")
    # Measured, not asserted: a person reads these (the page's bytes, requests, first paint).
    reloads = []
    for _ in range(3):
        browser.open(f"{live_server}{PAGE}", 1280, 900)
        reloads.append(browser.evaluate(WEIGHT))
    measured = {"first_load": first, "reloads": reloads}
    (OUT / "weight.json").write_text(json.dumps(measured, indent=2))


def test_clicking_a_quote_lights_its_span(
    browser: Browser, live_server: str, served: Spans
) -> None:
    browser.open(f"{live_server}{PAGE}", 1280, 900)
    quote = 'li.fact[data-fact^="quotes/"] a.quote'
    key = browser.evaluate(f"document.querySelector('{quote}').dataset.fact")
    assert not any(lit for *_, lit in marks(browser))
    browser.click(quote)
    lit = {(start, end) for start, end, *_, on in marks(browser) if on}
    assert lit == {span for span, keys in served.items() if key in keys}
    assert browser.evaluate("document.querySelector('li.fact.lit').dataset.fact") == key
    chosen = browser.evaluate("location.hash")
    assert chosen == f"#s-{min(lit)[0]}-{min(lit)[1]}"
    browser.screenshot(OUT / "desktop-quote-selected.png")
    # From the keyboard: the focus is on the chosen mark, and Enter lists the facts it supports.
    assert browser.evaluate("document.activeElement.id") == chosen.removeprefix("#")
    for kind in ("keyDown", "keyUp"):
        browser.page(
            "Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter", windowsVirtualKeyCode=13
        )
    listed = browser.evaluate(
        "[...document.querySelectorAll('#supports a')].map(a => a.getAttribute('href'))"
    )
    assert f"#fact-{key.replace('/', '-')}" in listed


def test_clicking_a_mark_lists_the_facts_it_supports(
    browser: Browser, live_server: str, served: Spans
) -> None:
    browser.open(f"{live_server}{PAGE}", 1280, 900)
    shared = next(span for span, keys in sorted(served.items()) if len(keys) > 1)
    browser.click(f'mark[data-start="{shared[0]}"][data-end="{shared[1]}"]')
    listed = browser.evaluate(
        "[...document.querySelectorAll('#supports a')].map(a => a.getAttribute('href'))"
    )
    assert set(listed) == {f"#fact-{key.replace('/', '-')}" for key in served[shared]}


def test_axe_finds_no_violation_and_the_page_reflows_at_400_percent(
    browser: Browser, live_server: str
) -> None:
    for width, height, name in ((1280, 900, "desktop"), (390, 844, "phone"), (320, 640, "zoom")):
        browser.open(f"{live_server}{PAGE}", width, height, mobile=width < 1000)
        browser.evaluate(AXE.read_text())
        violations = browser.evaluate(
            "axe.run(document).then(r => r.violations.map(v => `${v.id}: ${v.nodes.length}`))"
        )
        assert violations == [], name
        overflow = browser.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, name
        if name != "desktop":
            browser.screenshot(OUT / f"{name}.png")


def test_the_pages_run_without_errors_and_ask_only_127_0_0_1(
    live_server: str, tmp_path: Path
) -> None:
    own = Browser(tmp_path / "profile", tmp_path / "net.json")
    try:
        own.page("Runtime.enable")
        own.page("Log.enable")
        own.open(f"{live_server}/", 1280, 900)
        own.open(f"{live_server}{PAGE}", 1280, 900)
        own.click('li.fact[data-fact^="quotes/"] a.quote')
        own.click("#text mark")
        assert own.evaluate("document.querySelector('#supports a') !== null")
        problems = [
            event
            for event in own.events
            if event.get("method") == "Runtime.exceptionThrown"
            or (
                event.get("method") == "Log.entryAdded"
                and event["params"]["entry"]["level"] == "error"
            )
        ]
        assert problems == []
    finally:
        own.close()  # the net log is complete once the browser has exited
    asked = page_requests(tmp_path / "net.json", urlsplit(live_server).hostname or "")
    assert {urlsplit(url).path for url in asked} >= {PAGE, "/", "/assets/viewer.js"}
    assert {urlsplit(url).netloc for url in asked} == {urlsplit(live_server).netloc}


def test_without_javascript_a_quote_still_leads_to_its_marked_words(
    browser: Browser, live_server: str, served: Spans
) -> None:
    browser.page("Emulation.setScriptExecutionDisabled", value=True)
    try:
        browser.open(f"{live_server}{PAGE}", 1280, 900)
        assert {(start, end) for start, end, *_ in marks(browser)} == set(served)
        quote = 'li.fact[data-fact^="quotes/"] a.quote'
        target = browser.evaluate(f"document.querySelector('{quote}').getAttribute('href')")
        browser.click(quote)
        assert browser.evaluate("location.hash") == target
        shown = browser.evaluate("document.querySelector(':target').id")
        assert f"#{shown}" == target
        lit = browser.evaluate("getComputedStyle(document.querySelector(':target')).outlineStyle")
        assert lit == "solid"  # the :target rule shows it, with no script to add a class
        assert browser.evaluate("document.querySelectorAll('.lit').length") == 0
    finally:
        browser.page("Emulation.setScriptExecutionDisabled", value=False)
