"""The OpenAPI document: valid 3.1, complete, and describing exactly what is sent."""

from typing import Any

from litestar.testing import TestClient
from openapi_spec_validator import validate

from api.model.catalog import RESOURCES
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
                assert response["content"] == {"application/problem+json": {"schema": problem}}, (
                    path
                )
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
        assert operation["responses"]["200"]["headers"]["ETag"]["required"] is True, path
        assert "304" in operation["responses"], path
