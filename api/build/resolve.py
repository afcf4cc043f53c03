"""Checked fixture records -> the resources the API serves, with references made readable.

A resource has its record's fields, an ``href``, and references where the record has ids.
"""

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from msgspec import Struct, structs

from api.model.catalog import BY_NAME, Corpus
from api.build.inputs import Inputs
from api.model.models import (
    Article,
    Country,
    Meeting,
    Member,
    Organisation,
    Participant,
    Person,
    Place,
    Quote,
    Ref,
    Role,
    Statistic,
)
from api.model.records import (
    ArticleRecord,
    MeetingRecord,
    MemberRecord,
    OrganisationRecord,
    PersonRecord,
    QuoteRecord,
    StatisticRecord,
)

ENTITIES = ("countries", "organisations", "people")
S = TypeVar("S", bound=Struct)


def _with(model: type[S], record: Struct, **changes: Any) -> S:
    """``model`` from ``record``'s fields, some of them replaced or added."""
    fields = structs.asdict(record)
    return model(**{name: changes.get(name, fields.get(name)) for name in model.__struct_fields__})


class Resolver:
    """Turns records into resources; knows every record by id to build references."""

    def __init__(self, inputs: Inputs) -> None:
        self.inputs = inputs
        self.names: dict[tuple[str, str], str] = {}
        self.entity_list: dict[str, str] = {}
        for name, located in inputs.all():
            record = located.record
            label = getattr(record, "name", None) or getattr(record, "title", None)
            if label is not None:
                self.names[(name, record.id)] = label
            if name in ENTITIES:
                self.entity_list[record.id] = name

    def ref(self, name: str, record_id: str) -> Ref:
        resource = BY_NAME[name]
        return Ref(
            type=resource.noun,  # type: ignore[arg-type]
            id=record_id,
            name=self.names[(name, record_id)],
            href=resource.href(record_id),
        )

    def maybe(self, name: str, record_id: str | None) -> Ref | None:
        return None if record_id is None else self.ref(name, record_id)

    def entity(self, record_id: str | None) -> Ref | None:
        return None if record_id is None else self.ref(self.entity_list[record_id], record_id)

    def corpus(self) -> Corpus:
        convert: dict[str, Callable[[Any], Any]] = {
            "articles": self.article,
            "countries": lambda record: self.resource("countries", Country, record),
            "organisations": self.organisation,
            "people": self.person,
            "members": self.member,
            "meetings": self.meeting,
            "quotes": self.quote,
            "statistics": self.statistic,
        }
        return Corpus(
            {
                name: sorted(
                    (function(located.record) for located in self.inputs.records[name]),
                    key=lambda resource: resource.id,
                )
                for name, function in convert.items()
            }
        )

    def resource(self, name: str, model: type[S], record: Any, **changes: Any) -> S:
        """A served record: the record's fields, its href, and for facts its article."""
        if "article" in model.__struct_fields__:
            changes["article"] = self.ref("articles", record.evidence[0].article)
        return _with(model, record, href=BY_NAME[name].href(record.id), **changes)

    def article(self, record: ArticleRecord) -> Article:
        text = self.inputs.texts[record.source]
        return self.resource(
            "articles",
            Article,
            record,
            length=len(text),
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            text_href=BY_NAME["articles"].href(record.id) + "/text",
        )

    def organisation(self, record: OrganisationRecord) -> Organisation:
        return self.resource(
            "organisations",
            Organisation,
            record,
            parent=self.maybe("organisations", record.parent),
            country=self.maybe("countries", record.country),
        )

    def person(self, record: PersonRecord) -> Person:
        roles = [
            _with(
                Role,
                role,
                organisation=self.maybe("organisations", role.organisation),
                country=self.maybe("countries", role.country),
            )
            for role in record.roles
        ]
        country = self.maybe("countries", record.country)
        return self.resource("people", Person, record, roles=roles, country=country)

    def member(self, record: MemberRecord) -> Member:
        organisation = self.ref("organisations", record.organisation)
        member = self.entity(record.member)
        return self.resource("members", Member, record, organisation=organisation, member=member)

    def meeting(self, record: MeetingRecord) -> Meeting:
        place = record.place
        return self.resource(
            "meetings",
            Meeting,
            record,
            place=None
            if place is None
            else _with(Place, place, country=self.maybe("countries", place.country)),
            organiser=self.maybe("organisations", record.organiser),
            participants=[
                _with(Participant, p, participant=self.entity(p.participant))
                for p in record.participants
            ],
        )

    def quote(self, record: QuoteRecord) -> Quote:
        return self.resource(
            "quotes",
            Quote,
            record,
            speaker=self.ref("people", record.speaker),
            meeting=self.maybe("meetings", record.meeting),
        )

    def statistic(self, record: StatisticRecord) -> Statistic:
        return self.resource("statistics", Statistic, record, subject=self.entity(record.subject))
