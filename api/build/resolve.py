"""Checked fixture records -> the resources the API serves, with references made readable.

A resource has its record's fields, an ``href``, and references where the record has ids: a
field a record marks as a reference (``records.To``) becomes a ``Ref``, a nested record becomes
the nested model the resource's field names, and a fact gets its article from its evidence.
Nothing here knows a particular resource but the article, whose text gives three fields.
"""

import hashlib
from functools import cache
from typing import Any, get_args, get_type_hints

from msgspec import Struct

from api.build.inputs import Inputs
from api.model.catalog import BY_NAME, RESOURCES, Corpus, referable
from api.model.models import Ref
from api.model.records import ArticleRecord, To, targets


@cache
def _nested(model: type[Struct]) -> dict[str, type[Struct]]:
    """For each field of a model that holds models (one, optional, or a list): their type."""
    found = {}
    for name, hint in get_type_hints(model).items():
        kinds = [kind for kind in (hint, *get_args(hint)) if isinstance(kind, type)]
        structs = [kind for kind in kinds if issubclass(kind, Struct) and kind is not Ref]
        if structs:
            found[name] = structs[0]
    return found


class Resolver:
    """Turns records into resources; knows every record by list and id to build references."""

    def __init__(self, inputs: Inputs) -> None:
        self.inputs = inputs
        self.records = {(name, located.record.id): located.record for name, located in inputs.all()}

    def ref(self, name: str, record_id: str) -> Ref:
        resource = BY_NAME[name]
        return Ref(
            type=resource.noun,
            id=record_id,
            name=resource.label(self.records[(name, record_id)]),
            href=resource.href(record_id),
        )

    def refer(self, to: To, record_id: str) -> Ref:
        """The reference to ``record_id`` in the one list of ``to`` that holds it."""
        (name,) = [name for name in referable(to) if (name, record_id) in self.records]
        return self.ref(name, record_id)

    def corpus(self) -> Corpus:
        records = self.inputs.records
        return Corpus(
            {
                r.name: sorted(
                    (self.resource(r.name, located.record) for located in records[r.name]),
                    key=lambda served: served.id,
                )
                for r in RESOURCES
            }
        )

    def resource(self, name: str, record: Any) -> Any:
        """A served record: the record's fields resolved, its href, for facts its article."""
        resource = BY_NAME[name]
        changes: dict[str, Any] = {"href": resource.href(record.id)}
        if resource.fact:
            changes["article"] = self.ref("articles", record.evidence[0].article)
        if isinstance(record, ArticleRecord):
            changes |= self._text_fields(record)
        return self.convert(record, resource.model, changes)

    def convert(self, record: Struct, model: type[Struct], changes: dict[str, Any]) -> Any:
        """``model`` from ``record``: references resolved, nested records converted."""
        marked, nested = targets(type(record)), _nested(model)
        values = {}
        for name in model.__struct_fields__:
            if name in changes:
                values[name] = changes[name]
                continue
            value = getattr(record, name)
            if name in marked and value is not None:
                value = self.refer(marked[name], value)
            elif name in nested and isinstance(value, list):
                value = [self.nested(item, nested[name]) for item in value]
            elif name in nested and value is not None:
                value = self.nested(value, nested[name])
            values[name] = value
        return model(**values)

    def nested(self, value: Struct, model: type[Struct]) -> Any:
        """A nested record as its model (evidence and dates are the same in both)."""
        return value if isinstance(value, model) else self.convert(value, model, {})

    def _text_fields(self, record: ArticleRecord) -> dict[str, Any]:
        text = self.inputs.texts[record.source]
        return {
            "length": len(text),
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
            "text_href": BY_NAME["articles"].href(record.id) + "/text",
        }
