"""One description per resource: its model, filters and sort keys.

The build turns these into tables, index columns and filter links; the web layer turns them
into routes, query parameters, SQL and OpenAPI. A new resource is one entry here plus its model.
"""

import datetime
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import KW_ONLY, dataclass, field
from functools import cached_property
from typing import Any, Literal, TypeVar, cast, get_args, get_type_hints

import msgspec
from msgspec import Struct

from api.model.models import (
    Actor,
    Article,
    Base,
    Basis,
    Bounds,
    CalendarDate,
    Country,
    Download,
    Event,
    EventKind,
    Evidence,
    Grounds,
    Href,
    Meeting,
    MeetingKind,
    Member,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Party,
    Person,
    Qualifier,
    Quote,
    Ref,
    Served,
    Statement,
    StatementKind,
    Statistic,
)
from api.model.parameters import (
    CURSOR,
    FORMAT,
    LIMIT,
    NONE,
    NUMBER,
    SLUG,
    Constraints,
    QueryParameter,
    facet,
    fields,
    sort,
    text,
)
from api.model.records import Dataset, To, targets


@dataclass(frozen=True)
class Corpus:
    """Every resolved record of a build, by resource name, with the reverse lookups filters need."""

    records: Mapping[str, list[Any]]

    @cached_property
    def memberships(self) -> Mapping[str, list[Member]]:
        """Memberships by the id of either side (organisation or member)."""
        index: defaultdict[str, list[Member]] = defaultdict(list)
        for member in self.records["members"]:
            index[member.organisation.id].append(member)
            index[member.member.id].append(member)
        return index


Values = Callable[[Any, Corpus], Iterable[str]]
S = TypeVar("S")


@dataclass(frozen=True)
class Link:
    """An equality filter: a record matches when the parameter is one of its values.

    The value is an id unless ``annotation`` says otherwise (a Literal of choices, for one);
    ``constraints`` are an id's for an id, none for choices, unless given.
    """

    description: str
    values: Values
    _: KW_ONLY
    annotation: Any = str
    given: Constraints | None = None

    @property
    def constraints(self) -> Constraints:
        if self.given is not None:
            return self.given
        return SLUG if self.annotation is str else NONE


@dataclass(frozen=True)
class Range:
    """An overlap filter: a record spans [low, high]; it matches when that meets [from, to]."""

    low_param: str
    high_param: str
    description: str
    _: KW_ONLY
    low: Callable[[Any], float | str]
    high: Callable[[Any], float | str]
    annotation: Any
    constraints: Constraints = NONE


@dataclass(frozen=True)
class Resource:
    """A collection the API serves: one table, one model, its filters and sort keys."""

    name: str
    model: type[Served]
    summary: str
    #: What the collection holds, for its OpenAPI tag.
    description: str
    label: Callable[[Any], str]
    links: Mapping[str, Link]
    #: What full-text search indexes for a record, given the article texts by id; None keeps
    #: the resource out of search and its list without ``q``.
    search_text: Callable[[Any, Mapping[str, str]], str] | None = None
    sorts: Mapping[str, Callable[[Any], float | str]] = field(default_factory=dict)
    ranges: tuple[Range, ...] = ()

    #: An entity (a country, organisation or person): its id is unique across entity lists,
    #: and a reference may name any of them.
    entity: bool = False
    #: The schema.org class of a record, for its JSON-LD ``@type``.
    schema_type: str = "Thing"

    @property
    def noun(self) -> str:
        """What one record is (``type`` in references and search hits): the model's name."""
        return self.model.__name__.lower()

    @property
    def fact(self) -> bool:
        """A fact comes from one article and needs evidence: its model names the article."""
        return "article" in self.model.__struct_fields__

    @cached_property
    def record(self) -> type[Struct]:
        """The fixture record of this resource: the item type of its list in a fixture file."""
        (kind,) = get_args(get_type_hints(Dataset)[self.name])
        return cast(type[Struct], kind)

    @cached_property
    def follow(self) -> dict[str, str]:
        """Reference fields every record has, to the one collection each points into (the
        OpenAPI links of an item): the article of a fact, and its required references."""
        info = msgspec.inspect.type_info(self.record)
        required = {f.name for f in cast(msgspec.inspect.StructType, info).fields if f.required}
        found = {"article": "articles"} if self.fact else {}
        for name, to in targets(self.record).items():
            if name in required and len(to.lists) == 1:
                found[name] = to.lists[0]
        return found

    @property
    def tag(self) -> str:
        """The collection's OpenAPI tag."""
        return self.name.capitalize()

    def href(self, record_id: str) -> str:
        return f"/v1/{self.name}/{record_id}"

    @cached_property
    def sort_choices(self) -> tuple[str, ...]:
        """Every ``sort`` value, ``id`` (the default) first; ``-`` sorts descending."""
        keys = ("id", *self.sorts)
        return tuple(option for key in keys for option in (key, f"-{key}"))

    @cached_property
    def parameters(self) -> tuple[QueryParameter, ...]:
        """The list operation's query parameters: paging, sort, filters, ranges, text."""
        found = [LIMIT, CURSOR, sort(self.sort_choices)]
        for name, link in self.links.items():
            found.append(
                QueryParameter(
                    name=name,
                    annotation=link.annotation,
                    description=link.description,
                    constraints=link.constraints,
                )
            )
        for span in self.ranges:
            for name in (span.low_param, span.high_param):
                found.append(
                    QueryParameter(
                        name=name,
                        annotation=span.annotation,
                        description=span.description,
                        constraints=span.constraints,
                    )
                )
        if self.search_text is not None:
            found.append(text("Only records whose text matches all these words."))
        if self.facets:
            found.append(facet(self.facets))
        return (*found, *self.item_parameters)

    @cached_property
    def item_parameters(self) -> tuple[QueryParameter, ...]:
        """The representation of a record: its format and which of its fields."""
        return (FORMAT, fields(tuple(self.model.__struct_fields__)))

    @property
    def facets(self) -> tuple[str, ...]:
        """What ``facet`` counts by: every equality filter (each is stored as links)."""
        return tuple(self.links)


def _short(text: str) -> str:
    """A label of at most 80 characters: the text, cut with an ellipsis when longer."""
    return text if len(text) <= 80 else text[:79] + "…"


def refs(*values: Ref | None) -> list[str]:
    return [value.id for value in values if value is not None]


def evidence_articles(record: Any, _: Corpus) -> Iterator[str]:
    return iter(sorted({span.article for span in spans(record)}))


def spans(value: Any) -> Iterator[Evidence]:
    """Every evidence span in a record, nested ones too, in the order of its fields."""
    return _all(value, Evidence)


def _all(value: Any, kind: type[S]) -> Iterator[S]:
    """Every ``kind`` inside a record, depth first."""
    if isinstance(value, kind):
        yield value
    elif isinstance(value, Struct):
        for name in value.__struct_fields__:
            yield from _all(getattr(value, name), kind)
    elif isinstance(value, list):
        for item in value:
            yield from _all(item, kind)


def first_day(date: CalendarDate | None) -> str:
    """The earliest calendar day a date may denote ("" when unknown, so it sorts first)."""
    if date is None:
        return ""
    return {"year": f"{date.value}-01-01", "month": f"{date.value}-01"}.get(
        date.precision, date.value
    )


def last_day(date: CalendarDate | None) -> str:
    """The latest calendar day a date may denote ("9999-12-31" when unknown)."""
    if date is None:
        return "9999-12-31"
    if date.precision == "day":
        return date.value
    if date.precision == "month":
        year, month = (int(part) for part in date.value.split("-"))
        following = datetime.date(year + month // 12, month % 12 + 1, 1)
        return (following - datetime.timedelta(days=1)).isoformat()
    return f"{date.value}-12-31"


ARTICLE = Link("Only records with evidence in this article (id).", evidence_articles)


def _fact_article(record: Any, _: Corpus) -> list[str]:
    return [record.article.id]


FACT_ARTICLE = Link("Only facts taken from this article (id).", _fact_article)

#: From the most to the least direct way a relation is known.
BASES: tuple[Basis, ...] = get_args(Basis)


def least_direct(record: Any, _: Corpus) -> list[str]:
    """How the least directly known of a record's relations is known (its ``basis`` filter)."""
    found = {grounds.basis for grounds in _all(record, Grounds)}
    return [max(found, key=BASES.index)] if found else []


BASIS = Link(
    "Only records whose least direct relation is known this way: 'stated' (the narrator says"
    " every one), 'attributed' (some rest on someone's words) or 'inferred' (some are the"
    " curator's reading of the context).",
    least_direct,
    annotation=Basis,
)

ARTICLES = Resource(
    schema_type="NewsArticle",
    name="articles",
    model=Article,
    summary="source articles",
    description="Source articles and their text.",
    label=lambda a: a.title,
    search_text=lambda a, texts: texts[a.id],
    links={},
    sorts={"date": lambda a: first_day(a.date), "title": lambda a: a.title},
)

COUNTRIES = Resource(
    schema_type="Country",
    name="countries",
    model=Country,
    summary="countries",
    description="Countries with ISO 3166-1 codes.",
    entity=True,
    label=lambda c: c.name,
    links={
        "organisation": Link(
            "Only countries that are members of this organisation (id).",
            lambda c, corpus: [
                m.organisation.id for m in corpus.memberships[c.id] if m.member.id == c.id
            ],
        ),
        "iso2": Link(
            "Only the country with this ISO 3166-1 alpha-2 code.",
            lambda c, _: refs_or_empty(c.iso2),
            given=Constraints(pattern=r"^[A-Z]{2}$", max_length=2),
        ),
        "article": ARTICLE,
    },
    search_text=lambda c, _: " ".join([c.name, c.iso2 or "", c.iso3 or ""]),
    sorts={"name": lambda c: c.name},
)


def refs_or_empty(value: str | None) -> list[str]:
    return [] if value is None else [value]


ORGANISATIONS = Resource(
    schema_type="Organization",
    name="organisations",
    model=Organisation,
    summary="organisations and their bodies",
    description="Organisations and their bodies.",
    entity=True,
    label=lambda o: o.name,
    search_text=lambda o, _: " ".join([o.name, o.short_name or "", *o.aliases]),
    links={
        "kind": Link(
            "Only organisations of this kind.", lambda o, _: [o.kind], annotation=OrganisationKind
        ),
        "status": Link(
            "Only organisations with this status.",
            lambda o, _: [o.status],
            annotation=OrganisationStatus,
        ),
        "parent": Link(
            "Only bodies of this parent organisation (id).", lambda o, _: refs(o.parent)
        ),
        "country": Link("Only national bodies of this country (id).", lambda o, _: refs(o.country)),
        "member": Link(
            "Only organisations that have this member (a country or organisation id).",
            lambda o, corpus: [
                m.member.id for m in corpus.memberships[o.id] if m.organisation.id == o.id
            ],
        ),
        "basis": BASIS,
        "article": ARTICLE,
    },
    sorts={"name": lambda o: o.name, "kind": lambda o: o.kind},
)

PEOPLE = Resource(
    schema_type="Person",
    name="people",
    model=Person,
    summary="people",
    description="People and their roles.",
    entity=True,
    label=lambda p: p.name,
    search_text=lambda p, _: " ".join([p.name, *(role.title for role in p.roles)]),
    links={
        "organisation": Link(
            "Only people with a role in this organisation (id).",
            lambda p, _: refs(*(role.organisation for role in p.roles)),
        ),
        "country": Link(
            "Only people of this country or with a role for it (id).",
            lambda p, _: refs(p.country, *(role.country for role in p.roles)),
        ),
        "basis": BASIS,
        "article": ARTICLE,
    },
    sorts={"name": lambda p: p.name},
)

MEMBERS = Resource(
    schema_type="OrganizationRole",
    name="members",
    model=Member,
    summary="memberships",
    description="Memberships: an organisation has a country or organisation as member.",
    label=lambda m: f"{m.member.name} in {m.organisation.name}",
    links={
        "organisation": Link(
            "Only memberships of this organisation (id).", lambda m, _: refs(m.organisation)
        ),
        "member": Link(
            "Only memberships of this member (country or organisation id).",
            lambda m, _: refs(m.member),
        ),
        "basis": BASIS,
        "article": FACT_ARTICLE,
    },
    sorts={"organisation": lambda m: m.organisation.id, "member": lambda m: m.member.id},
    # No search_text: a membership is found through its organisation or member.
)

MEETINGS = Resource(
    schema_type="Event",
    name="meetings",
    model=Meeting,
    summary="meetings: summits, council sessions, exercises, bilateral talks",
    description="Summits, council sessions, exercises and bilateral talks.",
    label=lambda m: m.name,
    search_text=lambda m, _: " ".join([m.name, m.place.name if m.place else ""]),
    links={
        "kind": Link("Only meetings of this kind.", lambda m, _: [m.kind], annotation=MeetingKind),
        "organisation": Link(
            "Only meetings organised by this organisation (id).", lambda m, _: refs(m.organiser)
        ),
        "participant": Link(
            "Only meetings this country, organisation or person took part in (id).",
            lambda m, _: refs(*(p.participant for p in m.participants)),
        ),
        "basis": BASIS,
        "article": FACT_ARTICLE,
    },
    ranges=(
        Range(
            "date_from",
            "date_to",
            "Only meetings that may overlap this window of days (inclusive, YYYY-MM-DD).",
            low=lambda m: first_day(m.start),
            high=lambda m: last_day(m.end or m.start),
            annotation=datetime.date,
        ),
    ),
    sorts={"start": lambda m: first_day(m.start), "name": lambda m: m.name},
)

QUOTES = Resource(
    schema_type="Quotation",
    name="quotes",
    model=Quote,
    summary="exact quotations",
    description="Exact quotations with speaker and occasion.",
    label=lambda q: _short(q.text),
    search_text=lambda q, _: q.text,
    links={
        "speaker": Link("Only quotes by this person (id).", lambda q, _: refs(q.speaker)),
        "meeting": Link("Only quotes said at this meeting (id).", lambda q, _: refs(q.meeting)),
        "basis": BASIS,
        "article": FACT_ARTICLE,
    },
    sorts={"date": lambda q: first_day(q.date), "speaker": lambda q: q.speaker.id},
)


def low_end(bounds: Bounds) -> float:
    """The least value bounds allow, an exclusive end just above it (for overlap in SQL)."""
    if bounds.min is None:
        return -math.inf
    return math.nextafter(bounds.min, math.inf) if bounds.min_exclusive else bounds.min


def high_end(bounds: Bounds) -> float:
    """The greatest value bounds allow, an exclusive end just below it."""
    if bounds.max is None:
        return math.inf
    return math.nextafter(bounds.max, -math.inf) if bounds.max_exclusive else bounds.max


STATISTICS = Resource(
    schema_type="Observation",
    name="statistics",
    model=Statistic,
    summary="numbers with unit, qualifier and subject",
    description="Numbers with unit, qualifier and subject.",
    label=lambda s: s.measure,
    search_text=lambda s, _: " ".join([s.measure, *(span.exact for span in s.evidence)]),
    links={
        "unit": Link(
            "Only numbers in this unit.",
            lambda s, _: [s.unit],
            given=Constraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40),
        ),
        "qualifier": Link(
            "Only numbers with this qualifier.", lambda s, _: [s.qualifier], annotation=Qualifier
        ),
        "subject": Link("Only numbers about this entity (id).", lambda s, _: refs(s.subject)),
        "basis": BASIS,
        "article": FACT_ARTICLE,
    },
    ranges=(
        Range(
            "value_min",
            "value_max",
            "Only numbers whose bounds meet [value_min, value_max] (an exclusive end does not).",
            low=lambda s: low_end(s.bounds),
            high=lambda s: high_end(s.bounds),
            annotation=float,
            constraints=NUMBER,
        ),
    ),
    sorts={"value": lambda s: low_end(s.bounds), "unit": lambda s: s.unit},
)


def _who(parties: Iterable[Party | Actor | None]) -> list[str]:
    return [party.who.id for party in parties if party is not None]


STATEMENTS = Resource(
    name="statements",
    model=Statement,
    summary="reported speech and joint statements",
    description="Reported (indirect) speech and joint statements: who, to whom, when, where.",
    schema_type="Claim",
    label=lambda s: _short(s.summary),
    search_text=lambda s, _: " ".join([s.summary, *(span.exact for span in s.evidence)]),
    links={
        "speaker": Link(
            "Only statements by this person, organisation or country (or the people at this"
            " meeting) (id).",
            lambda s, _: _who([s.speaker]),
        ),
        "addressee": Link(
            "Only statements the text says were addressed to this party (id).",
            lambda s, _: _who([s.addressee]),
        ),
        "meeting": Link("Only statements made at this meeting (id).", lambda s, _: refs(s.meeting)),
        "kind": Link(
            "Only statements of this kind.", lambda s, _: [s.kind], annotation=StatementKind
        ),
        "basis": BASIS,
        "article": FACT_ARTICLE,
    },
    ranges=(
        Range(
            "date_from",
            "date_to",
            "Only statements whose date may fall in this window of days (inclusive, YYYY-MM-DD);"
            " undated ones never do.",
            low=lambda s: first_day(s.date) or "9999-12-31",
            high=lambda s: "" if s.date is None else last_day(s.date),
            annotation=datetime.date,
        ),
    ),
    sorts={"date": lambda s: first_day(s.date), "kind": lambda s: s.kind},
)


def _event_span(event: Any) -> tuple[str, str]:
    """The days an event may have happened on: its start to its end, or up to no_later_than;
    an undated event meets no window."""
    if event.start is not None:
        return first_day(event.start), last_day(event.end or event.start)
    if event.no_later_than is not None:
        return "", last_day(event.no_later_than)
    return "9999-12-31", ""


EVENTS = Resource(
    name="events",
    model=Event,
    summary="dated happenings that are not gatherings",
    description="Deliveries, withdrawals, declarations, operations, exercises, foundings, ends.",
    schema_type="Event",
    label=lambda e: e.name,
    search_text=lambda e, _: " ".join([e.name, e.summary, *e.items]),
    links={
        "kind": Link("Only events of this kind.", lambda e, _: [e.kind], annotation=EventKind),
        "actor": Link(
            "Only events this country, organisation or person took part in (id).",
            lambda e, _: _who(e.actors),
        ),
        "basis": BASIS,
        "article": FACT_ARTICLE,
    },
    ranges=(
        Range(
            "date_from",
            "date_to",
            "Only events that may overlap this window of days (inclusive, YYYY-MM-DD); an event"
            " dated only by when it had happened spans everything before.",
            low=lambda e: _event_span(e)[0],
            high=lambda e: _event_span(e)[1],
            annotation=datetime.date,
        ),
    ),
    sorts={"start": lambda e: _event_span(e)[0], "name": lambda e: e.name},
)

RESOURCES: tuple[Resource, ...] = (
    ARTICLES,
    ORGANISATIONS,
    MEMBERS,
    MEETINGS,
    QUOTES,
    STATISTICS,
    STATEMENTS,
    EVENTS,
    PEOPLE,
    COUNTRIES,
)
BY_NAME: Mapping[str, Resource] = {resource.name: resource for resource in RESOURCES}
BY_NOUN: Mapping[str, Resource] = {resource.noun: resource for resource in RESOURCES}


def _per_collection(name: str, kind: Any, doc: str) -> type[msgspec.Struct]:
    """An object with one field per collection (the index's maps, with their keys known)."""
    fields = [(resource.name, kind) for resource in RESOURCES]
    struct = msgspec.defstruct(name, fields, bases=(Base,), frozen=True, kw_only=True)
    struct.__doc__ = doc
    return struct


Collections = _per_collection("Collections", Href, "The path of every collection.")
Counts = _per_collection("Counts", int, "How many records every collection holds.")


class Index(Base, frozen=True, kw_only=True):
    """Entry point: the dataset version, every collection and its record count, and the files
    of the whole dataset."""

    version: str
    collections: Collections  # type: ignore[valid-type]
    counts: Counts  # type: ignore[valid-type]
    downloads: list[Download]


#: The entity lists: an entity's id is unique across them; a reference may name any of them.
ENTITIES: tuple[str, ...] = tuple(r.name for r in RESOURCES if r.entity)


def referable(to: To) -> tuple[str, ...]:
    """The lists a reference field may point into."""
    return (*ENTITIES, *to.lists) if to.entity else to.lists


#: The nouns search finds: every resource with text to search.
SEARCHED: tuple[str, ...] = tuple(r.noun for r in RESOURCES if r.search_text is not None)
#: The query parameters of GET /v1/search.
SEARCH: tuple[QueryParameter, ...] = (
    text("Words to find.", required=True),
    QueryParameter(
        name="type", annotation=Literal[SEARCHED], description="Only hits of this type."
    ),
    LIMIT,
    CURSOR,
)
