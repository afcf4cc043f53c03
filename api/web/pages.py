"""The HTML pages for people: the home page and an article with every fact on its words.

Everything is rendered here, on the server: the marks (api/web/marks.py) and the fact list work
without JavaScript (each of a fact's quotes links to its mark, which CSS shows as :target).
``/assets/viewer.js`` only adds the interactions: selecting a fact lights every span of it,
selecting a mark lists the facts it supports. The CSP allows the service's own files and
nothing else: no inline script or style, no other origin.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from itertools import groupby
from typing import Any

from api.model.catalog import Resource, spans
from api.model.models import Article, Download, Evidence, Served
from api.web.marks import Offsets, mark_id, marked

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
#: The longest quote a fact's link shows in full; longer ones are cut with an ellipsis.
SHOWN = 70


@dataclass(frozen=True)
class Entry:
    """An entry of the page's list: a record (a fact, an entity or the article itself) with the
    evidence spans it has in the article on the page."""

    resource: Resource
    record: Served
    spans: tuple[Evidence, ...]

    @property
    def key(self) -> str:
        """What a mark's ``data-facts`` names it by: its collection and id."""
        return f"{self.resource.name}/{self.record.id}"

    @property
    def label(self) -> str:
        return self.resource.label(self.record)


def article_page(article: Article, text: str, facts: Sequence[Entry]) -> str:
    covered: dict[Offsets, set[str]] = {}
    for fact in facts:
        for span in fact.spans:
            covered.setdefault((span.start, span.end), set()).add(fact.key)
    groups = "".join(
        _group(resource, list(members))
        for resource, members in groupby(facts, key=lambda fact: fact.resource)
    )
    body = f"""<main id="main">
<h1>{escape(article.title)}</h1>
<p class="about">{escape(article.date.value)} · {len(covered)} marked passages supporting \
{len(facts)} records · <a href="{article.href}">JSON</a> · \
<a href="{article.text_href}">text</a></p>
<p class="help">Select a fact's quote to light its words; select marked words to list the \
facts they support. Darker marks are supported by several nested spans.</p>
<div class="viewer">
<section class="text" aria-labelledby="text-title"><h2 id="text-title">Text</h2>
<div id="text" class="article">{marked(text, covered)}</div></section>
<section class="facts" aria-labelledby="facts-title"><h2 id="facts-title">Facts</h2>
<div id="supports" role="status" aria-live="polite"></div>
{groups}</section>
</div>
</main>"""
    return _document(article.title, body, script=True)


def _group(resource: Resource, facts: list[Entry]) -> str:
    items = "".join(_fact(fact) for fact in facts)
    heading = f"group-{resource.name}"
    return (
        f'<section aria-labelledby="{heading}"><h3 id="{heading}">{escape(resource.tag)} '
        f'<span class="count">({len(facts)})</span></h3><ul class="group">{items}</ul></section>\n'
    )


def _fact(fact: Entry) -> str:
    key = escape(fact.key)
    quotes = "".join(
        f'<li><a class="quote" href="#{mark_id((span.start, span.end))}" data-fact="{key}">'
        f"{escape(_shown(span.exact))}</a></li>"
        for span in sorted(fact.spans, key=lambda span: (span.start, span.end))
    )
    return (
        f'<li class="fact" id="fact-{key.replace("/", "-")}" data-fact="{key}">'
        f'<a class="record" href="{escape(fact.record.href)}">{escape(fact.label)}</a>'
        f'<ul class="quotes">{quotes}</ul></li>'
    )


def _shown(exact: str) -> str:
    flat = " ".join(exact.split())
    return f"“{flat}”" if len(flat) <= SHOWN else f"“{flat[: SHOWN - 1]}…”"


def home_page(version: str, articles: Iterable[Article], files: Iterable[Download]) -> str:
    offered = "".join(
        f'<li><a href="{escape(file.href)}" type="{escape(file.media_type)}">'
        f"{escape(file.name)}</a> ({file.size:,} bytes, SHA-256 <code>{file.sha256}</code>)</li>"
        for file in files
    )
    listed = "".join(
        f'<li><a href="/articles/{article.id}">{escape(article.title)}</a> '
        f'<span class="date">({escape(article.date.value)})</span></li>'
        for article in articles
    )
    body = f"""<main id="main">
<h1>Article Facts</h1>
<p>Facts taken from news articles (organisations, memberships, meetings, quotes, numbers, people,
countries), each anchored to the exact characters of its article that support it. Open an
article to see every fact on its words.</p>
<section aria-labelledby="articles-title"><h2 id="articles-title">Articles</h2>
<ul>{listed}</ul></section>
<section aria-labelledby="api-title"><h2 id="api-title">For programs</h2>
<ul>
<li><a href="/v1">/v1</a>: the JSON API, its collections and their counts</li>
<li><a href="/docs">/docs</a>: interactive documentation</li>
<li><a href="/schema/openapi.json">/schema/openapi.json</a>: the OpenAPI 3.1 document</li>
<li><a href="/v1/schemas">/v1/schemas</a>: the JSON Schemas of every record</li>
</ul></section>
<section aria-labelledby="downloads-title"><h2 id="downloads-title">Downloads</h2>
<p>The whole dataset in one file: the SQLite database (open it with <code>sqlite3</code> or
Datasette) and every record as NDJSON, one line each.</p>
<ul>{offered}</ul></section>
<p class="about">Dataset version {escape(version)}.</p>
</main>"""
    return _document("Article Facts", body, script=False)


def _document(title: str, body: str, *, script: bool) -> str:
    scripts = '<script src="/assets/viewer.js" defer></script>\n' if script else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · Article Facts</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/viewer.css">
{scripts}</head>
<body>
<header><a class="skip" href="#main">Skip to content</a>
<nav aria-label="Service"><a href="/">Article Facts</a> <a href="/v1">API</a> \
<a href="/docs">Docs</a></nav></header>
{body}
</body>
</html>
"""


def spans_in(record: Any, article_id: str) -> tuple[Evidence, ...]:
    """Every evidence span of a record (nested ones too) in one article, each once."""
    return tuple(dict.fromkeys(span for span in spans(record) if span.article == article_id))
