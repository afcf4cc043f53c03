"""The negative matrix: every operation and parameter of the OpenAPI document, wrong in every way.

For each parameter the document declares: a wrong type, out of range, 2^64, empty, over-long, NUL,
FTS syntax (`"`, `-`, `NEAR(`, `AND`), the parameter twice (refused unless the document makes it an
array), and for each operation an unknown parameter. What the answer must be is read from the
document itself: a value its schema refuses is a 400 problem document naming the parameter in
`errors[].parameter`; a value it admits is answered (200, or 404 for an id nothing has); and every
status is one the operation documents. A cursor is valid only as the service issued it. Nothing is
ever a 5xx. The collections come from api/model/catalog.py RESOURCES, and the document must
describe each of them with exactly the catalog's parameters.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import jsonschema_rs
import pytest
from litestar.testing import TestClient

from api.model.catalog import RESOURCES
from api.web.query import Cursor, encode_cursor
from tests.conftest import operations

RUN = "negative matrix"
NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
WRONG_TYPE = {
    "integer": ["abc", "1.5", "true", "null"],
    "number": ["abc", "true", "null", "1,5"],
    "string": ["1.5", "true", "null"],
}
FTS_SYNTAX = ['"', "-", "NEAR(", "AND"]
#: Values that fit a string parameter; the first its schema accepts is its valid value.
CANDIDATES = ("csto", "RU", "people", "russia", "id")
Query = list[tuple[str, str]]


@dataclass(frozen=True)
class Probe:
    """One request of the matrix and the answer the document promises for it."""

    parameter: str
    kind: str
    path: str
    query: Query
    expect_400: bool

    def __str__(self) -> str:
        return f"{self.kind} {self.parameter}: {self.path} {self.query!r}"[:300]


def parameters(operation: dict[str, Any], where: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == where}


def admits(schema: dict[str, Any], raw: str) -> bool:
    """Whether the parameter's schema admits this query-string value."""
    value: Any = raw
    if schema.get("type") in ("integer", "number") and NUMBER.fullmatch(raw):
        value = json.loads(raw)
    return bool(jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(value))


def out_of_range(schema: dict[str, Any]) -> list[str]:
    if schema.get("type") in ("integer", "number"):
        kind = int if schema["type"] == "integer" else float
        return [str(kind(schema["minimum"]) - 1), str(kind(schema["maximum"]) + 1)]
    if "enum" in schema:
        return ["zzz", schema["enum"][0].upper()]
    if schema.get("format") == "date":
        return ["2015-02-30", "2015-13-01"]
    return ["a" * (schema["maxLength"] + 1)]


def bad_values(schema: dict[str, Any], valid: str) -> Iterator[tuple[str, str]]:
    kinds = {
        "wrong type": WRONG_TYPE[schema["type"]],
        "out of range": out_of_range(schema),
        "2^64": [str(2**64), str(-(2**64))],
        "empty": [""],
        "over-long": ["9" * 4096],
        "NUL": [valid + "\x00", "\x00"],
        "FTS syntax": FTS_SYNTAX,
    }
    for kind, values in kinds.items():
        for value in values:
            yield kind, value


class Matrix:
    """Probes for one operation, with valid values for everything not under test."""

    def __init__(self, client: TestClient[Any], template: str, operation: dict[str, Any]) -> None:
        self.client = client
        self.template = template
        self.documented = set(operation["responses"])
        self.query = parameters(operation, "query")
        self.path_parameters = parameters(operation, "path")
        self.ids = {name: self.existing(template, name) for name in self.path_parameters}

    def existing(self, template: str, name: str) -> str:
        """An id that exists: the first record of the collection the path lives under."""
        parent = template[: template.index("{" + name + "}")].rstrip("/")
        body = self.client.get(parent).json()
        return str(body["data"][0]["id"] if "data" in body else sorted(body)[0])

    def path(self, **ids: str) -> str:
        path = self.template
        for name, value in {**self.ids, **ids}.items():
            path = path.replace("{" + name + "}", quote(value, safe=""))
        return path

    def cursor(self) -> str:
        """A cursor as the service issues it for this operation's default sort."""
        first = self.client.get(self.path(), params=[*self.required(), ("limit", "1")]).json()
        if first["meta"]["next_cursor"] is not None:
            return str(first["meta"]["next_cursor"])
        # A one-record collection issues no cursor; make the one its first page would end with.
        sort = self.query["sort"]["schema"]["default"]
        return encode_cursor(Cursor(sort, first["data"][0][sort], first["data"][0]["id"]))

    def schema(self, name: str) -> dict[str, Any]:
        """A parameter's schema; a repeatable one's (an array), of each of its values."""
        schema: dict[str, Any] = self.query[name]["schema"]
        return schema["items"] if schema.get("type") == "array" else schema

    def valid(self, name: str) -> str:
        schema = self.schema(name)
        if name == "cursor":
            return self.cursor()
        if "enum" in schema:
            return str(schema["enum"][0])
        if schema.get("format") == "date":
            return "2015-09-14"
        if schema["type"] in ("integer", "number"):
            return str(schema.get("default", schema.get("minimum", 0)))
        return next(value for value in CANDIDATES if admits(schema, value))

    def required(self, but: str = "") -> Query:
        return [
            (name, self.valid(name))
            for name, parameter in self.query.items()
            if parameter.get("required") and name != but
        ]

    def probes(self) -> Iterator[Probe]:
        yield Probe("no_such_parameter", "unknown", self.path(), [("no_such_parameter", "1")], True)
        for name, parameter in self.query.items():
            schema, valid, others = self.schema(name), self.valid(name), self.required(but=name)
            twice = [*others, (name, valid), (name, valid)]
            repeatable = parameter["schema"].get("type") == "array"
            yield Probe(name, "duplicated", self.path(), twice, not repeatable)
            for kind, value in bad_values(schema, valid):
                refused = name == "cursor" or not admits(schema, value)
                yield Probe(name, kind, self.path(), [*others, (name, value)], refused)
        for name, parameter in self.path_parameters.items():
            for kind, value in bad_values(parameter["schema"], self.ids[name]):
                if value:  # an empty segment is another route (the collection), not a value
                    refused = not admits(parameter["schema"], value)
                    yield Probe(name, kind, self.path(**{name: value}), self.required(), refused)


def fault(client: TestClient[Any], probe: Probe, documented: set[str]) -> str | None:
    """What is wrong with the answer to a probe, or None."""
    response = client.get(probe.path, params=tuple(probe.query))
    if response.status_code >= 500:
        return f"{response.status_code} for {probe}"
    if str(response.status_code) not in documented:
        return f"{response.status_code} is not in the document's {sorted(documented)}: {probe}"
    if not probe.expect_400:
        return None if response.status_code in (200, 404) else f"{response.status_code}: {probe}"
    if response.status_code != 400:
        return f"{response.status_code}, not 400, for {probe}"
    if response.headers["content-type"] != "application/problem+json":
        return f"not a problem document for {probe}"
    body = response.json()
    if body.get("status") != 400 or not {"type", "title", "detail"} <= body.keys():
        return f"an incomplete problem document {body} for {probe}"
    named = {error.get("parameter") for error in body.get("errors", [])}
    return None if probe.parameter in named else f"errors name {named}, not the parameter: {probe}"


def run(client: TestClient[Any], matrix: Matrix, tally: dict[str, int]) -> list[str]:
    faults = []
    for probe in matrix.probes():
        tally[RUN] = tally.get(RUN, 0) + 1
        found = fault(client, probe, matrix.documented)
        if found is not None:
            faults.append(found)
    return faults


def catalog_parameters(name: str) -> set[str]:
    resource = next(resource for resource in RESOURCES if resource.name == name)
    names = {"limit", "cursor", "sort", *resource.links}
    names |= {n for span in resource.ranges for n in (span.low_param, span.high_param)}
    names |= {"format", "fields"} | ({"facet"} if resource.links else set())
    return names | ({"q"} if resource.search_text is not None else set())


@pytest.mark.parametrize("name", [resource.name for resource in RESOURCES])
def test_every_collection_refuses_every_bad_parameter_by_name(
    client: TestClient[Any],
    document: dict[str, Any],
    generated_requests: dict[str, int],
    name: str,
) -> None:
    found = operations(document)
    listing, item = found[f"/v1/{name}"], found[f"/v1/{name}/{{id}}"]
    assert set(parameters(listing, "query")) == catalog_parameters(name)
    faults = run(client, Matrix(client, f"/v1/{name}", listing), generated_requests)
    faults += run(client, Matrix(client, f"/v1/{name}/{{id}}", item), generated_requests)
    assert not faults, "\n".join(faults)


def test_every_other_operation_refuses_every_bad_parameter_by_name(
    client: TestClient[Any], document: dict[str, Any], generated_requests: dict[str, int]
) -> None:
    collections = {f"/v1/{r.name}" for r in RESOURCES} | {f"/v1/{r.name}/{{id}}" for r in RESOURCES}
    others = {path: op for path, op in operations(document).items() if path not in collections}
    assert {"/v1/search", "/v1/articles/{id}/text"} <= others.keys()
    faults = []
    for template, operation in others.items():
        faults += run(client, Matrix(client, template, operation), generated_requests)
    assert not faults, "\n".join(faults)


@pytest.mark.parametrize("name", [r.name for r in RESOURCES if r.ranges])
def test_an_inverted_range_is_a_400_naming_its_low_end(
    client: TestClient[Any], document: dict[str, Any], name: str
) -> None:
    resource = next(resource for resource in RESOURCES if resource.name == name)
    listing = parameters(operations(document)[f"/v1/{name}"], "query")
    for span in resource.ranges:
        date = listing[span.low_param]["schema"].get("format") == "date"
        low, high = ("2015-09-15", "2015-09-14") if date else ("2", "1")
        response = client.get(f"/v1/{name}", params={span.low_param: low, span.high_param: high})
        assert response.status_code == 400
        assert span.low_param in {error["parameter"] for error in response.json()["errors"]}


@pytest.mark.parametrize(
    "path", ["/v1/search", *(f"/v1/{r.name}" for r in RESOURCES if r.search_text is not None)]
)
def test_free_text_is_searched_literally_and_needs_a_letter_or_digit(
    client: TestClient[Any], path: str
) -> None:
    for text in ("NEAR(", "AND", "a OR b", "x*", "-russia", 'say "no', "\u00ab\u2014\u00bb"):
        assert client.get(path, params={"q": text}).status_code == 200, text
    for text in ('"', "-", "()", "*", "_", "a\u0000", "a\nb"):
        response = client.get(path, params={"q": text})
        assert response.status_code == 400, text
        assert [error["parameter"] for error in response.json()["errors"]] == ["q"]
