"""The fixture shapes curators write in fixtures/*.json; references are plain ids.

The build decodes every fixture file as a :class:`Dataset`, strictly: unknown keys, wrong
types and out-of-range values are refused with the JSON path of the culprit.
"""

from typing import Annotated

from msgspec import Meta

from api.model.models import (
    Base,
    Date,
    Evidence,
    MeetingKind,
    OrganisationKind,
    OrganisationStatus,
    ParticipantRole,
    Qualifier,
    Slug,
    Text,
    Wikidata,
)


class ArticleRecord(Base, frozen=True, kw_only=True):
    """An article: a source text in seeds/ with its metadata."""

    id: Slug
    title: Text
    source: Annotated[str, Meta(pattern=r"^[A-Za-z0-9_.-]+\.txt$", description="File in seeds/.")]
    date: Date
    language: Annotated[str, Meta(pattern=r"^[a-z]{2}$")] = "en"
    evidence: list[Evidence] = []


class CountryRecord(Base, frozen=True, kw_only=True):
    """A country, with ISO 3166-1 codes where it has them."""

    id: Slug
    name: Text
    iso2: Annotated[str, Meta(pattern=r"^[A-Z]{2}$")] | None = None
    iso3: Annotated[str, Meta(pattern=r"^[A-Z]{3}$")] | None = None
    wikidata: Wikidata | None = None
    evidence: list[Evidence] = []


class OrganisationRecord(Base, frozen=True, kw_only=True):
    """An organisation or one of its bodies (``parent`` names the body it belongs to)."""

    id: Slug
    name: Text
    short_name: str | None = None
    aliases: list[Text] = []
    kind: OrganisationKind
    status: OrganisationStatus = "existing"
    founded: Date | None = None
    parent: Slug | None = None
    country: Slug | None = None
    wikidata: Wikidata | None = None
    evidence: list[Evidence] = []


class RoleRecord(Base, frozen=True, kw_only=True):
    """A position a person holds, as an article states it."""

    title: Text
    organisation: Slug | None = None
    country: Slug | None = None
    evidence: list[Evidence]


class PersonRecord(Base, frozen=True, kw_only=True):
    """A person named in an article."""

    id: Slug
    name: Text
    roles: list[RoleRecord] = []
    country: Slug | None = None
    wikidata: Wikidata | None = None
    evidence: list[Evidence] = []


class MemberRecord(Base, frozen=True, kw_only=True):
    """An organisation has a member: a country or another organisation."""

    id: Slug
    organisation: Slug
    member: Slug
    evidence: list[Evidence]


class PlaceRecord(Base, frozen=True, kw_only=True):
    """Where a meeting took place: a named place and, when the text says so, its country."""

    name: Text
    country: Slug | None = None
    evidence: list[Evidence] = []


class ParticipantRecord(Base, frozen=True, kw_only=True):
    """Who took part in a meeting, and in what role. Taking part is not membership."""

    participant: Slug
    role: ParticipantRole
    evidence: list[Evidence]


class MeetingRecord(Base, frozen=True, kw_only=True):
    """A summit, council session, exercise or bilateral talk."""

    id: Slug
    name: Text
    kind: MeetingKind
    start: Date
    end: Date | None = None
    place: PlaceRecord | None = None
    organiser: Slug | None = None
    participants: list[ParticipantRecord] = []
    evidence: list[Evidence]


class QuoteRecord(Base, frozen=True, kw_only=True):
    """Exact words a person said; ``text`` is one of its evidence spans."""

    id: Slug
    text: Text
    speaker: Slug
    meeting: Slug | None = None
    date: Date | None = None
    evidence: list[Evidence]


class StatisticRecord(Base, frozen=True, kw_only=True):
    """A number the text states: value, unit, qualifier, what it counts and about whom."""

    id: Slug
    value: int | float
    value_max: int | float | None = None
    unit: Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]*$")]
    qualifier: Qualifier
    measure: Text
    subject: Slug | None = None
    date: Date | None = None
    evidence: list[Evidence]


class Dataset(Base, frozen=True, kw_only=True):
    """One fixture file: any of the record lists; files are merged by the build."""

    articles: list[ArticleRecord] = []
    countries: list[CountryRecord] = []
    organisations: list[OrganisationRecord] = []
    people: list[PersonRecord] = []
    members: list[MemberRecord] = []
    meetings: list[MeetingRecord] = []
    quotes: list[QuoteRecord] = []
    statistics: list[StatisticRecord] = []
