"""The OpenAPI document: valid 3.1, complete, and describing exactly what is sent."""

from typing import Any

import msgspec
from litestar.testing import TestClient
from openapi_spec_validator import validate

from api.model.catalog import RESOURCES
from api.settings import Settings
from api.web.app import create_app
from api.web.openapi import SOMETIMES_SENT
from tests.conftest import operations


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_contract_path_is_documented(document: dict[str, Any]) -> None:
    expected = {"/v1", "/health", "/v1/search", "/v1/articles/{id}/text"}
    for resource in RESOURCES:
        expected |= {f"/v1/{resource.name}", f"/v1/{resource.name}/{{id}}"}
    assert expected <= set(document["paths"])
    assert not any(
        path.startswith("/schema") or path.startswith("/docs") for path in document["paths"]
    )


def test_every_operation_is_described(document: dict[str, Any]) -> None:
    for path, operation in operations(document).items():
        assert operation["summary"], path
        assert operation["description"], path
        assert operation["tags"], path
        for parameter in operation.get("parameters", []):
            assert parameter["description"], (path, parameter["name"])
            assert "oneOf" not in parameter["schema"], (path, parameter["name"])


def test_errors_are_documented_as_problem_details(document: dict[str, Any]) -> None:
    problem = {"$ref": "#/components/schemas/Problem"}
    for path, operation in operations(document).items():
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert set(response["content"]) == {"application/problem+json"}, path
                assert response["content"]["application/problem+json"]["schema"] == problem
    assert "ValidationException" not in str(document)


def test_item_operations_document_their_404(document: dict[str, Any]) -> None:
    for resource in RESOURCES:
        assert "404" in document["paths"][f"/v1/{resource.name}/{{id}}"]["get"]["responses"]


def test_links_point_at_existing_operations(document: dict[str, Any]) -> None:
    ids = {operation["operationId"] for operation in operations(document).values()}
    links = [
        link
        for operation in operations(document).values()
        for link in operation["responses"]["200"].get("links", {}).values()
    ]
    assert {link["operationId"] for link in links} <= ids
    for resource in RESOURCES:
        listing = document["paths"][f"/v1/{resource.name}"]["get"]["responses"]["200"]
        (link,) = listing["links"].values()
        assert link["parameters"] == {"id": "$response.body#/data/0/id"}
    speaker = document["paths"]["/v1/quotes/{id}"]["get"]["responses"]["200"]["links"]
    assert speaker["getPersonFromSpeaker"]["parameters"] == {"id": "$response.body#/speaker/id"}


def test_examples_are_what_the_service_answers(
    document: dict[str, Any], client: TestClient[Any]
) -> None:
    for resource in RESOURCES:
        item = document["paths"][f"/v1/{resource.name}/{{id}}"]["get"]["responses"]["200"]
        example = item["content"]["application/json"]["examples"]["real"]["value"]
        assert client.get(example["href"]).json() == example
        listing = document["paths"][f"/v1/{resource.name}"]["get"]["responses"]["200"]
        page = listing["content"]["application/json"]["examples"]["real"]["value"]
        assert client.get(page["links"]["self"]).json() == page


def test_validators_are_documented(document: dict[str, Any]) -> None:
    for path, operation in operations(document).items():
        headers = operation["responses"]["200"]["headers"]
        if path in ("/health", "/ready"):
            assert headers["Cache-Control"]["schema"]["const"] == "no-store"
            assert "ETag" not in headers
            assert "304" not in operation["responses"], path
            continue
        assert headers["ETag"]["required"] is True, path
        assert "304" in operation["responses"], path


def test_every_problem_example_is_what_the_service_answers(
    document: dict[str, Any], client: TestClient[Any]
) -> None:
    seen = 0
    for operation in operations(document).values():
        for status in ("400", "404"):
            if status not in operation["responses"]:
                continue
            content = operation["responses"][status]["content"]["application/problem+json"]
            example = content["examples"]["real"]
            method, path = example["summary"].split(" ", 1)
            request_id = {"x-request-id": example["value"]["request_id"]}
            assert client.request(method, path, headers=request_id).json() == example["value"]
            seen += 1
    assert seen >= 2 * len(RESOURCES)


def test_every_property_the_service_sends_is_required(document: dict[str, Any]) -> None:
    """A record is sent whole (every field, null where there is no value); its sparse form
    (``fields=``, the ``…Fields`` components) always has its id and whatever was asked for."""
    for name, schema in document["components"]["schemas"].items():
        required = set(schema.get("required", []))
        if name.endswith("Fields"):
            assert required == {"id"}, name
        else:
            optional = SOMETIMES_SENT.get(name, frozenset())
            assert required == set(schema.get("properties", {})) - optional, name
    assert {"PageMeta": {"facets"}} == SOMETIMES_SENT  # only without facet=


def test_integrators_find_a_license_no_credentials_and_a_base_url(
    document: dict[str, Any], settings: Settings
) -> None:
    assert document["info"]["license"] == {"name": "MIT", "identifier": "MIT"}
    assert document["security"] == []
    assert document["servers"][0]["url"] == "/"
    public = msgspec.structs.replace(settings, public_url="https://facts.example.org")
    with TestClient(app=create_app(public)) as other:
        served = other.get("/schema/openapi.json").json()
    assert served["servers"][0]["url"] == "https://facts.example.org"


def test_the_index_names_every_collection_in_a_typed_object(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    names = {resource.name for resource in RESOURCES}
    for field, kind in (("collections", "Collections"), ("counts", "Counts")):
        assert schemas["Index"]["properties"][field] == {"$ref": f"#/components/schemas/{kind}"}
        assert set(schemas[kind]["properties"]) == names
