"""JSON-LD: the ``@context`` the service publishes and a record as a node.

Every record is a node whose ``@id`` is its path (``href``) and whose ``@type`` is its
resource's schema.org class (``Resource.schema_type`` in the catalog). A field whose meaning
is a schema.org property's is mapped to it here; every other field is a term of the service's
own vocabulary (``@vocab``, the context's own address), so nothing claims a schema.org meaning
it does not have.
"""

from typing import Any

from api.model.catalog import Resource

CONTEXT_PATH = "/v1/context.jsonld"
SCHEMA = "https://schema.org/"
#: Fields with the meaning of a schema.org property, by field name.
PROPERTIES = {
    "id": "identifier",
    "name": "name",
    "text": "text",
    "title": "headline",
    "language": "inLanguage",
    "founded": "foundingDate",
    "aliases": "alternateName",
    "short_name": "alternateName",
    "value": "value",
    "value_max": "maxValue",
    "unit": "unitText",
    "organiser": "organizer",
    "place": "location",
    "article": "isBasedOn",
}


def context() -> dict[str, Any]:
    """The published context document."""
    terms: dict[str, Any] = {
        "@vocab": f"{CONTEXT_PATH}#",
        "schema": SCHEMA,
        "href": {"@id": "schema:url", "@type": "@id"},
        "text_href": {"@type": "@id"},
    }
    terms.update({name: f"schema:{prop}" for name, prop in PROPERTIES.items()})
    return {"@context": terms}


def node(resource: Resource, record: dict[str, Any]) -> dict[str, Any]:
    """A record as a JSON-LD node (without ``@context``)."""
    return {"@id": record["href"], "@type": f"schema:{resource.schema_type}", **record}
