"""The fixture shapes curators write in fixtures/*.json; references are plain ids.

The build decodes every fixture file as a :class:`Dataset`, strictly: unknown keys, wrong
types and out-of-range values are refused with the JSON path of the culprit. A reference
field says what it refers to (:class:`To`); the build checks every reference and resolves it
into a ``Ref`` from that alone (see :func:`references`).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, get_args, get_origin, get_type_hints

from msgspec import Meta, Struct

from api.model.models import (
    ActorRole,
    Base,
    Basis,
    CalendarDate,
    EventKind,
    Evidence,
    MeetingKind,
    OrganisationKind,
    OrganisationStatus,
    ParticipantRole,
    Qualifier,
    Relation,
    Slug,
    StatementKind,
    Text,
    Wikidata,
)


@dataclass(frozen=True)
class To:
    """Marks an id field as a reference into these lists (``entity``: any entity list)."""

    lists: tuple[str, ...] = ()
    entity: bool = False


OrganisationId = Annotated[Slug, To(("organisations",))]
CountryId = Annotated[Slug, To(("countries",))]
PersonId = Annotated[Slug, To(("people",))]
MeetingId = Annotated[Slug, To(("meetings",))]
EntityId = Annotated[Slug, To(entity=True)]
#: Who speaks, is spoken to or acts: an entity, or a meeting (meaning the people at it).
PartyId = Annotated[Slug, To(("meetings",), entity=True)]


class GroundsRecord(Base, frozen=True, kw_only=True):
    """How a relation is known: ``attributed`` names whose words (``attributed_to``), and
    ``inferred`` says from what (``note``)."""

    basis: Basis
    attributed_to: EntityId | None = None
    note: Text | None = None
    evidence: list[Evidence] = []


class PartyRecord(Base, frozen=True, kw_only=True):
    """Who speaks or is spoken to, as the text names them (``label``), and how that is known."""

    who: PartyId
    label: Text | None = None
    basis: GroundsRecord


class ActorRecord(PartyRecord, frozen=True, kw_only=True):
    """Who took part in an event and in what role."""

    role: ActorRole


class RelatedRecord(Base, frozen=True, kw_only=True):
    """A link to another record and how it is known (each kind below names its list)."""

    target: Slug
    relation: Relation | None = None
    basis: GroundsRecord


class StatisticLink(RelatedRecord, frozen=True, kw_only=True):
    """A statistic the record reports."""

    target: Annotated[Slug, To(("statistics",))]


class EventLink(RelatedRecord, frozen=True, kw_only=True):
    """An event the record reports."""

    target: Annotated[Slug, To(("events",))]


class StatementLink(RelatedRecord, frozen=True, kw_only=True):
    """A statement the record relates to."""

    target: Annotated[Slug, To(("statements",))]


class MeetingLink(RelatedRecord, frozen=True, kw_only=True):
    """A meeting the record relates to."""

    target: MeetingId


class ArticleRecord(Base, frozen=True, kw_only=True):
    """An article: a source text in seeds/ with its metadata."""

    id: Slug
    title: Text
    source: Annotated[str, Meta(pattern=r"^[A-Za-z0-9_.-]+\.txt$", description="File in seeds/.")]
    date: CalendarDate
    date_basis: GroundsRecord | None = None
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
    status_basis: GroundsRecord | None = None
    founded: CalendarDate | None = None
    founded_basis: GroundsRecord | None = None
    parent: OrganisationId | None = None
    parent_basis: GroundsRecord | None = None
    country: CountryId | None = None
    country_basis: GroundsRecord | None = None
    wikidata: Wikidata | None = None
    evidence: list[Evidence] = []


class RoleRecord(Base, frozen=True, kw_only=True):
    """A position a person holds, as an article states it."""

    title: Text
    organisation: OrganisationId | None = None
    country: CountryId | None = None
    basis: GroundsRecord | None = None
    evidence: list[Evidence]


class PersonRecord(Base, frozen=True, kw_only=True):
    """A person named in an article."""

    id: Slug
    name: Text
    roles: list[RoleRecord] = []
    country: CountryId | None = None
    wikidata: Wikidata | None = None
    evidence: list[Evidence] = []


class MemberRecord(Base, frozen=True, kw_only=True):
    """An organisation has a member: a country or another organisation."""

    id: Slug
    organisation: OrganisationId
    member: Annotated[Slug, To(("countries", "organisations"))]
    basis: GroundsRecord | None = None
    evidence: list[Evidence]


class PlaceRecord(Base, frozen=True, kw_only=True):
    """Where a meeting took place: a named place and, when the text says so, its country."""

    name: Text
    country: CountryId | None = None
    evidence: list[Evidence] = []


class ParticipantRecord(Base, frozen=True, kw_only=True):
    """Who took part in a meeting, and in what role. Taking part is not membership."""

    participant: EntityId
    role: ParticipantRole
    basis: GroundsRecord | None = None
    evidence: list[Evidence]


class MeetingRecord(Base, frozen=True, kw_only=True):
    """A summit, council session, exercise or bilateral talk."""

    id: Slug
    name: Text
    kind: MeetingKind
    start: CalendarDate
    end: CalendarDate | None = None
    place: PlaceRecord | None = None
    place_basis: GroundsRecord | None = None
    organiser: OrganisationId | None = None
    organiser_basis: GroundsRecord | None = None
    participants: list[ParticipantRecord] = []
    evidence: list[Evidence]


class QuoteRecord(Base, frozen=True, kw_only=True):
    """Exact words a person said; ``text`` is one of its evidence spans."""

    id: Slug
    text: Text
    speaker: PersonId
    speaker_basis: GroundsRecord | None = None
    addressee: PartyRecord | None = None
    meeting: MeetingId | None = None
    meeting_basis: GroundsRecord | None = None
    date: CalendarDate | None = None
    date_basis: GroundsRecord | None = None
    evidence: list[Evidence]


class BoundsRecord(Base, frozen=True, kw_only=True):
    """The values a number may have (None: unbounded on that side); ends are included unless
    marked exclusive."""

    min: int | float | None
    min_exclusive: bool = False
    max: int | float | None
    max_exclusive: bool = False


class StatisticRecord(Base, frozen=True, kw_only=True):
    """A number the text states, or the bounds it supports (see the served Statistic)."""

    id: Slug
    value: int | float | None = None
    value_max: int | float | None = None
    bounds: BoundsRecord
    wording: Text | None = None
    unit: Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]*$")]
    qualifier: Qualifier
    measure: Text
    basis: GroundsRecord | None = None
    subject: EntityId | None = None
    subject_basis: GroundsRecord | None = None
    date: CalendarDate | None = None
    date_basis: GroundsRecord | None = None
    evidence: list[Evidence]


class StatementRecord(Base, frozen=True, kw_only=True):
    """Reported speech: who, to whom when the text says, when, where, the reporting verb."""

    id: Slug
    kind: StatementKind
    speaker: PartyRecord
    addressee: PartyRecord | None = None
    date: CalendarDate | None = None
    date_basis: GroundsRecord | None = None
    meeting: MeetingId | None = None
    meeting_basis: GroundsRecord | None = None
    joint: bool = False
    summary: Text
    statistics: list[StatisticLink] = []
    events: list[EventLink] = []
    statements: list[StatementLink] = []
    evidence: list[Evidence]


class EventRecord(Base, frozen=True, kw_only=True):
    """A dated happening that is not a gathering."""

    id: Slug
    kind: EventKind
    name: Text
    summary: Text
    start: CalendarDate | None = None
    end: CalendarDate | None = None
    no_later_than: CalendarDate | None = None
    date_basis: GroundsRecord | None = None
    actors: list[ActorRecord] = []
    place: PlaceRecord | None = None
    place_basis: GroundsRecord | None = None
    items: list[Text] = []
    statistics: list[StatisticLink] = []
    meetings: list[MeetingLink] = []
    statements: list[StatementLink] = []
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
    statements: list[StatementRecord] = []
    events: list[EventRecord] = []


#: A reference found in a record: its JSON path suffix, the id, and what it may refer to.
Reference = tuple[str, str, To]


@cache
def targets(record_type: type[Struct]) -> dict[str, To]:
    """The reference fields of a record type and what each refers to."""
    found = {}
    for name, hint in get_type_hints(record_type, include_extras=True).items():
        marks = [mark for mark in _metadata(hint) if isinstance(mark, To)]
        if marks:
            found[name] = marks[0]
    return found


def _metadata(hint: Any) -> Iterator[Any]:
    """Every Annotated extra in a type, through unions and lists."""
    if hasattr(hint, "__metadata__"):
        yield from hint.__metadata__
    for argument in get_args(hint) if get_origin(hint) is not None else ():
        yield from _metadata(argument)


def references(record: Struct, path: str = "") -> Iterator[Reference]:
    """Every id a record refers to, nested records included, with its JSON path suffix."""
    marked = targets(type(record))
    for name in record.__struct_fields__:
        value, where = getattr(record, name), f"{path}.{name}"
        if name in marked and value is not None:
            yield where, value, marked[name]
        elif isinstance(value, Struct):
            yield from references(value, where)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, Struct):
                    yield from references(item, f"{where}[{index}]")
