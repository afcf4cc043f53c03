"""Checked fixture records -> the resources the API serves, with references made readable."""

import hashlib
from collections.abc import Callable
from typing import Any

from api.catalog import BY_NAME, Corpus
from api.inputs import Inputs
from api.models import (
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
from api.records import (
    ArticleRecord,
    CountryRecord,
    MeetingRecord,
    MemberRecord,
    OrganisationRecord,
    PersonRecord,
    QuoteRecord,
    StatisticRecord,
)


class Resolver:
    """Turns records into resources; knows every record by id to build references."""

    def __init__(self, inputs: Inputs) -> None:
        self.inputs = inputs
        self.names: dict[tuple[str, str], str] = {}
        self.entity_list: dict[str, str] = {}
        for name, located in inputs.all():
            record = located.record
            label = getattr(record, "name", None) or getattr(record, "title", record.id)
            self.names[(name, record.id)] = label
            if name in ("countries", "organisations", "people"):
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

    def entity(self, record_id: str) -> Ref:
        return self.ref(self.entity_list[record_id], record_id)

    def corpus(self) -> Corpus:
        convert: dict[str, Callable[[Any], Any]] = {
            "articles": self.article,
            "countries": self.country,
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

    def article(self, record: ArticleRecord) -> Article:
        text = self.inputs.texts[record.source]
        return Article(
            id=record.id,
            href=f"/v1/articles/{record.id}",
            title=record.title,
            date=record.date,
            language=record.language,
            source=record.source,
            length=len(text),
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            text_href=f"/v1/articles/{record.id}/text",
            evidence=record.evidence,
        )

    def country(self, record: CountryRecord) -> Country:
        return Country(
            id=record.id,
            href=f"/v1/countries/{record.id}",
            name=record.name,
            iso2=record.iso2,
            iso3=record.iso3,
            wikidata=record.wikidata,
            evidence=record.evidence,
        )

    def organisation(self, record: OrganisationRecord) -> Organisation:
        return Organisation(
            id=record.id,
            href=f"/v1/organisations/{record.id}",
            name=record.name,
            short_name=record.short_name,
            aliases=record.aliases,
            kind=record.kind,
            parent=self.maybe("organisations", record.parent),
            country=self.maybe("countries", record.country),
            wikidata=record.wikidata,
            evidence=record.evidence,
        )

    def person(self, record: PersonRecord) -> Person:
        roles = [
            Role(
                title=role.title,
                organisation=self.maybe("organisations", role.organisation),
                country=self.maybe("countries", role.country),
                evidence=role.evidence,
            )
            for role in record.roles
        ]
        return Person(
            id=record.id,
            href=f"/v1/people/{record.id}",
            name=record.name,
            roles=roles,
            country=self.maybe("countries", record.country),
            wikidata=record.wikidata,
            evidence=record.evidence,
        )

    def _article_of(self, record: Any) -> Ref:
        return self.ref("articles", self._article_id(record.evidence[0].article))

    def _article_id(self, article_id: str) -> str:
        return article_id

    def member(self, record: MemberRecord) -> Member:
        return Member(
            id=record.id,
            href=f"/v1/members/{record.id}",
            organisation=self.ref("organisations", record.organisation),
            member=self.entity(record.member),
            article=self._article_of(record),
            evidence=record.evidence,
        )

    def meeting(self, record: MeetingRecord) -> Meeting:
        place = record.place
        return Meeting(
            id=record.id,
            href=f"/v1/meetings/{record.id}",
            name=record.name,
            kind=record.kind,
            start=record.start,
            end=record.end,
            place=None
            if place is None
            else Place(
                name=place.name,
                country=self.maybe("countries", place.country),
                evidence=place.evidence,
            ),
            organiser=self.maybe("organisations", record.organiser),
            participants=[
                Participant(
                    participant=self.entity(p.participant), role=p.role, evidence=p.evidence
                )
                for p in record.participants
            ],
            article=self._article_of(record),
            evidence=record.evidence,
        )

    def quote(self, record: QuoteRecord) -> Quote:
        return Quote(
            id=record.id,
            href=f"/v1/quotes/{record.id}",
            text=record.text,
            speaker=self.ref("people", record.speaker),
            meeting=self.maybe("meetings", record.meeting),
            date=record.date,
            article=self._article_of(record),
            evidence=record.evidence,
        )

    def statistic(self, record: StatisticRecord) -> Statistic:
        return Statistic(
            id=record.id,
            href=f"/v1/statistics/{record.id}",
            value=record.value,
            value_max=record.value_max,
            unit=record.unit,
            qualifier=record.qualifier,
            measure=record.measure,
            subject=None if record.subject is None else self.entity(record.subject),
            date=record.date,
            article=self._article_of(record),
            evidence=record.evidence,
        )
