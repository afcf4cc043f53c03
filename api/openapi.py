"""The OpenAPI document: configuration, the problem responses every operation documents."""

from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Contact, Tag

from api.errors import PROBLEM_JSON
from api.models import Problem


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem,
        description=description,
        media_type=PROBLEM_JSON,
        generate_examples=False,
    )


BAD_REQUEST = _problem(
    "Invalid input: an unknown or repeated parameter, a malformed or out-of-range value,"
    " an inverted range or a bad cursor. `errors` names each parameter."
)
NOT_FOUND = _problem("No record has this id.")
LIST_RESPONSES = {400: BAD_REQUEST}
ITEM_RESPONSES = {400: BAD_REQUEST, 404: NOT_FOUND}

DESCRIPTION = """\
Typed, evidence-anchored facts extracted from news articles: organisations, memberships,
meetings, quotes, statistics, people and countries. Every fact carries `evidence`: the exact
characters of its article (`start`/`end` are Unicode code point offsets, end exclusive, and
`exact` equals `text[start:end]`).

Collections share one shape: `limit` (1-500), an opaque keyset `cursor`, `sort=field` or
`sort=-field` (ties broken by id), typed filters, a `{data, meta, links}` envelope and an
RFC 8288 `Link` header. Errors are RFC 9457 problem documents. Every 200 carries a strong
`ETag`; send it back in `If-None-Match` for a 304.
"""


def openapi_config(version: str) -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Article Facts API",
        version=f"1.0.0+{version}",
        description=DESCRIPTION,
        contact=Contact(name="Article Facts API"),
        path="/schema",
        render_plugins=[JsonRenderPlugin()],
        tags=[
            Tag(name=name, description=text)
            for name, text in (
                ("Index", "Entry point and liveness."),
                ("Articles", "Source articles and their text."),
                ("Organisations", "Organisations and their bodies."),
                (
                    "Members",
                    "Memberships: an organisation has a country or organisation as member.",
                ),
                ("Meetings", "Summits, council sessions, exercises and bilateral talks."),
                ("Quotes", "Exact quotations with speaker and occasion."),
                ("Statistics", "Numbers with unit, qualifier and subject."),
                ("People", "People and their roles."),
                ("Countries", "Countries with ISO 3166-1 codes."),
                ("Search", "Full-text search over every resource."),
            )
        ],
    )
