"""A new resource is its model, its fixture record and its catalog entry: everything else the
service and the build need is derived from those three, and these tests catch a missing one."""

from typing import Any, get_args, get_type_hints

from msgspec import Struct

from api.model import models, records
from api.model.catalog import RESOURCES
from api.model.records import Dataset, targets


def record_types() -> list[type[Struct]]:
    """Every Struct a fixture file may hold, nested ones included."""
    found: list[type[Struct]] = []
    pending: list[Any] = [Dataset]
    while pending:
        kind = pending.pop()
        if isinstance(kind, type) and issubclass(kind, Struct):
            if kind in found:
                continue
            found.append(kind)
            pending += get_type_hints(kind).values()
        pending += get_args(kind)
    return found


def test_every_served_model_has_one_catalog_entry_and_one_fixture_list() -> None:
    assert sorted(r.model.__name__ for r in RESOURCES) == sorted(
        model.__name__ for model in models.Served.__subclasses__()
    )
    assert {r.name for r in RESOURCES} == set(Dataset.__struct_fields__)


def test_every_id_a_record_holds_besides_its_own_is_a_marked_reference() -> None:
    """An unmarked id would be neither checked by the build nor resolved into a Ref. (Evidence
    names its article too: the build checks it against that article's text.)"""
    unmarked = []
    for kind in record_types():
        if kind is models.Evidence:
            continue
        for name, hint in get_type_hints(kind, include_extras=True).items():
            slug = models.Slug in (hint, *get_args(hint))
            if slug and name != "id" and name not in targets(kind):
                unmarked.append(f"{kind.__name__}.{name}")
    assert not unmarked
    assert targets(records.MemberRecord)["member"].lists == ("countries", "organisations")


def test_references_and_hits_are_typed_with_the_catalog_nouns() -> None:
    nouns = {r.noun for r in RESOURCES}
    assert set(get_args(get_type_hints(models.Ref)["type"])) == nouns
    assert set(get_args(get_type_hints(models.SearchHit)["type"])) == nouns


def test_every_collection_has_its_tag_in_the_document(document: dict[str, Any]) -> None:
    tags = {tag["name"]: tag["description"] for tag in document["tags"]}
    for resource in RESOURCES:
        assert tags[resource.tag] == resource.description
        for operation in document["paths"][f"/v1/{resource.name}"].values():
            assert operation["tags"] == [resource.tag]
