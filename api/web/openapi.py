"""The OpenAPI document: configuration, the problem responses every operation documents."""

import copy
from collections.abc import Mapping
from typing import Any

import msgspec
from litestar import MediaType, Request
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Contact, License, Server, Tag

from api.model import models
from api.model.catalog import BY_NAME, RESOURCES
from api.model.models import Problem
from api.web.problems import PROBLEM_JSON
from api.web.query import Cursor, encode_cursor
from api.web.representation import MEDIA


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
NOT_READY = _problem(
    "The service cannot read its database now; `Retry-After` says when to ask again."
)
NOT_ACCEPTABLE = _problem(
    "Accept takes none of the representations (without `format`); `detail` lists them."
)
LIST_RESPONSES = {400: BAD_REQUEST}
ITEM_RESPONSES = {400: BAD_REQUEST, 404: NOT_FOUND}
#: The responses of a collection's operations, which negotiate their representation.
NEGOTIATED = {406: NOT_ACCEPTABLE}
#: The 200 content of the other representations, beside the JSON Litestar documents.
OTHER_REPRESENTATIONS = {
    MEDIA["csv"]: {
        "schema": {
            "type": "string",
            "description": "RFC 4180, UTF-8, one header row. Nested objects are flattened into"
            " columns joined by `_` (`speaker_id`, `speaker_name`, `date_value`); a list is one"
            " cell of compact JSON; null is an empty cell. A list without `limit` is every"
            " matching record, streamed.",
        }
    },
    MEDIA["ndjson"]: {
        "schema": {
            "type": "string",
            "description": "One JSON record a line (the records of the JSON representation)."
            " A list without `limit` is every matching record, streamed.",
        }
    },
    MEDIA["jsonld"]: {
        "schema": {
            "type": "object",
            "description": "JSON-LD with `@context` /v1/context.jsonld: a record as a node with"
            " `@id` (its path) and a schema.org `@type`; a list as `@graph`.",
        }
    },
}

DESCRIPTION = """\
Typed, evidence-anchored facts extracted from news articles: organisations, memberships,
meetings, quotes, statements, events, statistics, people and countries. Every fact carries
`evidence`: the exact characters of its article (`start`/`end` are Unicode code point offsets,
end exclusive, and `exact` equals `text[start:end]`).

Every relation says how it is known (`basis`, and the `*_basis` beside a reference): `stated`
(the narrator says it), `attributed` (it rests on someone's words, named in `attributed_to`) or
`inferred` (the curator's reading of the context; `note` says from what). The `basis` filter of a
collection keeps the records whose least direct relation is known that way: `basis=stated` gives
the facts the narrator states throughout. A statistic carries the `bounds` the text supports
("about 3,000": [2700, 3300]; "more than 50,000": above 50000; "dozens of": at least 24, with no
`value`); value filters match by overlap with the bounds.

Collections share one shape: `limit` (1-500), an opaque keyset `cursor`, `sort=field` or
`sort=-field` (ties broken by id), typed filters, a `{data, meta, links}` envelope and an
RFC 8288 `Link` header. Errors are RFC 9457 problem documents. Every 200 carries a strong
`ETag`; send it back in `If-None-Match` for a 304.

Collections and records also answer as CSV, NDJSON and JSON-LD: `format=csv|ndjson|jsonld`,
or `Accept: text/csv`, `application/x-ndjson`, `application/ld+json` (`format` wins; an
Accept none satisfies is a 406). CSV and NDJSON without `limit` stream every matching record.
`fields=a,b` keeps only those fields (and `id`); `facet=<filter>` (repeatable) adds
`meta.facets` with each value's count and a link that filters by it.
"""


def openapi_config(
    version: str, examples: Mapping[str, Any], public_url: str | None = None
) -> OpenAPIConfig:
    """``public_url``, when the deployment knows it, makes ``servers`` absolute, so that a client
    generated from the document has a usable base URL outside a browser."""
    return OpenAPIConfig(
        title="Article Facts API",
        version=f"1.0.0+{version}",
        description=DESCRIPTION,
        contact=Contact(name="Article Facts API maintainers"),
        license=License(name="MIT", identifier="MIT"),
        servers=[Server(url=public_url or "/", description="This service")],
        path="/schema",
        render_plugins=[DocumentPlugin(examples)],
        tags=[
            Tag(name="Index", description="Entry point and liveness."),
            *(Tag(name=r.tag, description=r.description) for r in RESOURCES),
            Tag(name="Search", description="Full-text search over every resource."),
        ],
    )


Document = dict[str, Any]
#: On every response: the client's well-formed X-Request-Id, or one the service made.
REQUEST_ID_HEADER = {
    "X-Request-Id": {
        "description": "The request's id: the client's when it sent 1 to 128 of"
        " `A-Za-z0-9._:-`, otherwise one the service made. The server's log line and any"
        " problem document carry the same id.",
        "required": True,
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,128}$"},
    }
}
ETAG_HEADERS = {
    **REQUEST_ID_HEADER,
    "ETag": {
        "description": "Strong validator of this representation; send it in If-None-Match.",
        "required": True,
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "How long the response may be reused.",
        "required": True,
        "schema": {"type": "string"},
    },
}
LINK_HEADER = {
    "Link": {
        "description": 'RFC 8288 link to the next page (rel="next"), when there is one.',
        "required": False,
        "schema": {"type": "string"},
    }
}
#: Operations answered ``Cache-Control: no-store`` (api/resources/index.py): no validator, no 304.
UNCACHED = frozenset({"getHealth", "getReady"})
NO_STORE_HEADERS = {
    **REQUEST_ID_HEADER,
    "Cache-Control": {
        "description": "Always `no-store`: the answer is never cached, by anybody.",
        "required": True,
        "schema": {"type": "string", "const": "no-store"},
    },
}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "An ETag from an earlier response; when it still matches the answer is 304.",
    "schema": {"type": "string"},
}
NOT_MODIFIED = {
    "description": "Not modified: If-None-Match matched the current ETag. No body.",
    "headers": {"ETag": ETAG_HEADERS["ETag"]},
}


class DocumentPlugin(JsonRenderPlugin):
    """Serves the OpenAPI document, completed once with what Litestar does not generate."""

    def __init__(self, examples: Mapping[str, Any]) -> None:
        super().__init__(media_type=MediaType.JSON)
        self._examples = examples
        self._rendered: bytes | None = None

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        if self._rendered is None:
            self._rendered = msgspec.json.encode(
                complete(copy.deepcopy(openapi_schema), self._examples)
            )
        return self._rendered


def examples(samples: Mapping[str, tuple[bytes, int]]) -> dict[str, Any]:
    """Example responses from real records: each item, and a first page of one per collection."""
    found: dict[str, Any] = {}
    for name, (body, total) in samples.items():
        record = msgspec.json.decode(body)
        found[name] = record
        cursor = encode_cursor(Cursor("id", record["id"], record["id"])) if total > 1 else None
        own = f"/v1/{name}?limit=1"
        found[f"list:{name}"] = {
            "data": [record],
            "meta": {"total": total, "limit": 1, "next_cursor": cursor},
            "links": {"self": own, "next": f"{own}&cursor={cursor}" if cursor else None},
        }
    return found


#: Real answers of the service, pinned by tests/test_openapi.py: each is what it sends to the
#: request named in the summary, sent with ``X-Request-Id`` the example's ``request_id``.
PROBLEM_EXAMPLES = {
    "400": (
        "GET /v1/quotes?limit=0",
        {
            "type": "about:blank",
            "title": "Bad Request",
            "status": 400,
            "detail": "invalid parameter 'limit'",
            "errors": [{"parameter": "limit", "detail": "Expected `int` >= 1"}],
            "request_id": "example-400",
        },
    ),
    "404": (
        "GET /v1/quotes/no-such-quote",
        {
            "type": "about:blank",
            "title": "Not Found",
            "status": 404,
            "detail": "no quote with id 'no-such-quote'",
            "errors": [],
            "request_id": "example-404",
        },
    ),
}


def _sometimes_sent() -> dict[str, frozenset[str]]:
    """Per model, the fields it leaves out when they have no value (those that default to
    UNSET); every other field is always sent."""
    found: dict[str, frozenset[str]] = {}
    for model in vars(models).values():
        if isinstance(model, type) and issubclass(model, msgspec.Struct):
            fields = msgspec.structs.fields(model)
            left_out = frozenset(f.encode_name for f in fields if f.default is msgspec.UNSET)
            if left_out:
                found[model.__name__] = left_out
    return found


SOMETIMES_SENT = _sometimes_sent()


def complete(document: Document, examples: Mapping[str, Any]) -> Document:
    """Plain query parameters, validators, 304s, OpenAPI links, real examples, and what makes
    generated clients precise: every property the service sends is required (it sends all of
    them, null where there is no value), and no operation needs credentials."""
    operations = {
        op["operationId"]: op for item in document["paths"].values() for op in item.values()
    }
    document["security"] = []
    for name, schema in document["components"]["schemas"].items():
        if "properties" in schema:
            optional = SOMETIMES_SENT.get(name, frozenset())
            schema["required"] = sorted(set(schema["properties"]) - optional)
    _numbers(document)
    for operation in operations.values():
        _plain_parameters(operation)
        for status, (request, problem) in PROBLEM_EXAMPLES.items():
            if status in operation["responses"]:
                content = operation["responses"][status]["content"][PROBLEM_JSON]
                content["examples"] = {"real": {"summary": request, "value": problem}}
        ok = operation["responses"]["200"]
        if operation["operationId"] in UNCACHED:
            ok["headers"] = NO_STORE_HEADERS
            continue
        operation.setdefault("parameters", []).append(IF_NONE_MATCH)
        ok["headers"] = {
            **ETAG_HEADERS,
            **(LINK_HEADER if operation["operationId"].startswith("list") else {}),
        }
        operation["responses"]["304"] = NOT_MODIFIED
    for resource in RESOURCES:
        noun = resource.noun.capitalize()
        listing, item = operations[f"list{resource.name.capitalize()}"], operations[f"get{noun}"]
        listing["responses"]["200"]["links"] = {
            f"get{noun}": {
                "operationId": f"get{noun}",
                "parameters": {"id": "$response.body#/data/0/id"},
                "description": f"The first {resource.noun} of the page.",
            }
        }
        item["responses"]["200"]["links"] = {
            f"get{BY_NAME[target].noun.capitalize()}From{field.capitalize()}": {
                "operationId": f"get{BY_NAME[target].noun.capitalize()}",
                "parameters": {"id": f"$response.body#/{field}/id"},
                "description": f"The {field} of this {resource.noun}.",
            }
            for field, target in resource.follow.items()
        }
        either = _sparse(document, resource.model.__name__)
        document["components"]["schemas"][f"{resource.model.__name__}Page"]["properties"]["data"][
            "items"
        ] = either
        item["responses"]["200"]["content"]["application/json"]["schema"] = either
        for operation in (listing, item):
            operation["responses"]["200"]["content"].update(copy.deepcopy(OTHER_REPRESENTATIONS))
        _example(listing, examples.get(f"list:{resource.name}"))
        _example(item, examples.get(resource.name))
        if resource.name in examples:
            (path_id,) = [p for p in item["parameters"] if p["in"] == "path"]
            path_id["examples"] = {"real": {"value": examples[resource.name]["id"]}}
    operations["getArticle"]["responses"]["200"]["links"]["getArticleText"] = {
        "operationId": "getArticleText",
        "parameters": {"id": "$response.body#/id"},
        "description": "The text of this article.",
    }
    return document


def _sparse(document: Document, name: str) -> Document:
    """A record, or with ``fields`` the record with only the chosen fields (and id): the
    schema ``<Name>Fields``, the model's with only id required."""
    schemas = document["components"]["schemas"]
    schemas[f"{name}Fields"] = {
        **copy.deepcopy(schemas[name]),
        "required": ["id"],
        "title": f"{name}Fields",
        "description": f"A {name.lower()} with only the fields `fields` chose, and its id.",
    }
    return {"anyOf": [{"$ref": f"#/components/schemas/{name}{kind}"} for kind in ("", "Fields")]}


def _plain_parameters(operation: Document) -> None:
    """An absent query parameter is None inside; on the wire it is just the plain type."""
    for parameter in operation.get("parameters", []):
        schema = parameter["schema"]
        variants = schema.get("oneOf", [])
        if parameter["in"] == "query" and {"type": "null"} in variants and len(variants) == 2:
            (plain,) = [variant for variant in variants if variant != {"type": "null"}]
            rest = {key: value for key, value in schema.items() if key != "oneOf"}
            parameter["schema"] = {**plain, **rest}
        elif parameter["in"] == "query" and "null" in schema.get("type", ()):
            (plain,) = [kind for kind in schema["type"] if kind != "null"]
            schema["type"] = plain
            if "enum" in schema:
                schema["enum"] = [value for value in schema["enum"] if value is not None]


def _numbers(node: Any) -> None:
    """``int | float`` is a JSON number: oneOf [integer, number] would match an integer twice.
    A oneOf of a single schema (``X | UnsetType`` leaves one) is that schema."""
    if isinstance(node, dict):
        variants = node.get("oneOf")
        numbers = [{"type": "integer"}, {"type": "number"}]
        if isinstance(variants, list) and all(number in variants for number in numbers):
            variants.remove({"type": "integer"})
        if isinstance(variants, list) and len(variants) == 1:
            node.update(node.pop("oneOf")[0])
        for value in node.values():
            _numbers(value)
    elif isinstance(node, list):
        for value in node:
            _numbers(value)


def _example(operation: Document, value: Any) -> None:
    if value is not None:
        content = operation["responses"]["200"]["content"]["application/json"]
        content["examples"] = {"real": {"summary": "From the shipped dataset", "value": value}}
