"""Every JSON shape the API emits and every fixture shape it reads.

The Structs are the single source of truth: ``schemas/`` is generated from them, the build
validates fixtures with them, and the OpenAPI document is derived from them. A Struct's
docstring becomes its schema description.
"""

from typing import Annotated, Literal

from msgspec import UNSET, Meta, Struct, UnsetType

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[
    str,
    Meta(
        pattern=SLUG_PATTERN,
        min_length=1,
        max_length=80,
        description="Stable, human-readable identifier: lowercase ASCII letters, digits and '-'.",
    ),
]
Wikidata = Annotated[str, Meta(pattern=r"^Q[1-9][0-9]*$", description="Wikidata item id.")]
Offset = Annotated[int, Meta(ge=0, description="Unicode code point offset into the article text.")]
Text = Annotated[str, Meta(min_length=1)]
DateValue = Annotated[
    str,
    Meta(
        pattern=r"^[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?$",
        description="ISO 8601 calendar date cut to its precision: YYYY, YYYY-MM or YYYY-MM-DD.",
    ),
]
Precision = Literal["year", "month", "day"]
EntityType = Literal["organisation", "person", "country"]
OrganisationKind = Literal[
    "intergovernmental_organisation",
    "organisation_body",
    "military_alliance",
    "armed_force",
    "government",
    "government_agency",
    "security_service",
    "militant_group",
    "religious_body",
]
OrganisationStatus = Literal["existing", "proposed"]
MeetingKind = Literal["summit", "council_session", "bilateral_talks", "conversation"]
Basis = Literal["stated", "attributed", "inferred"]
StatementKind = Literal[
    "said",
    "announced",
    "warned",
    "suggested",
    "noted",
    "added",
    "remarked",
    "stressed",
    "echoed",
    "voiced_concern",
    "discussed",
]
EventKind = Literal[
    "exercise",
    "founding",
    "end_of_state",
    "withdrawal",
    "delivery",
    "deployment",
    "operation",
    "declaration",
]
ActorRole = Literal[
    "organiser",
    "founded",
    "dissolved",
    "withdrawing_party",
    "supplier",
    "recipient",
    "sender",
    "operator",
    "assisted",
    "declarer",
    "supported",
]
Relation = Literal["same_document", "echoes", "evaluated_at"]
ParticipantRole = Literal["head_of_state", "delegation", "official", "speaker", "body"]
Qualifier = Literal[
    "exact",
    "approximately",
    "more_than",
    "less_than",
    "at_least",
    "at_most",
    "range",
    "multiples_of",
]


class Base(Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Shared configuration: unknown keys are refused, instances are immutable."""


class Evidence(Base, frozen=True, kw_only=True):
    """Characters of an article that support a fact (Unicode code points, end exclusive)."""

    article: Slug
    start: Offset
    end: Annotated[int, Meta(ge=1, description="Exclusive end offset, in code points.")]
    exact: Annotated[str, Meta(min_length=1, description="Exactly text[start:end].")]


class CalendarDate(Base, frozen=True, kw_only=True):
    """A calendar date with its precision; ``year_inferred`` marks a year the text leaves out.

    When an article says "September 14" without a year, the year is taken from the article's
    own date and ``year_inferred`` is true.
    """

    value: DateValue
    precision: Precision
    year_inferred: bool = False


# ---------------------------------------------------------------------------------------------
# Resources: what the API serves. Related records are references with a name and an href.
# ---------------------------------------------------------------------------------------------

Href = Annotated[str, Meta(description="Path of the related resource on this service.")]


class Served(Base, frozen=True, kw_only=True):
    """What every served record has: its id and the path it is served at.

    Each subclass is the model of one collection; its noun (``type`` in references and search
    hits) is its class name in lower case. References are written "Ref" in the models: the Ref
    type is defined after them, from the nouns of all of them.
    """

    id: Slug
    href: Href


class Article(Served, frozen=True, kw_only=True):
    """Metadata of a source article; its text is at ``text_href``."""

    title: str
    date: CalendarDate
    date_basis: "Grounds | None"
    language: str
    source: Annotated[str, Meta(description="File name of the text under seeds/.")]
    length: Annotated[int, Meta(ge=0, description="Length of the text in Unicode code points.")]
    sha256: Annotated[
        str, Meta(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the UTF-8 text.")
    ]
    text_href: Href
    evidence: list[Evidence]


class Country(Served, frozen=True, kw_only=True):
    """A country, with ISO 3166-1 codes where it has them."""

    name: str
    iso2: str | None
    iso3: str | None
    wikidata: str | None
    evidence: list[Evidence]


class Organisation(Served, frozen=True, kw_only=True):
    """An organisation or one of its bodies; ``parent`` is the body it belongs to."""

    name: str
    short_name: str | None
    aliases: list[str]
    kind: OrganisationKind
    status: Annotated[
        OrganisationStatus,
        Meta(description="'proposed' when the text only says it is planned or discussed."),
    ]
    status_basis: "Grounds | None"
    founded: CalendarDate | None
    founded_basis: "Grounds | None"
    parent: "Ref | None"
    parent_basis: "Grounds | None"
    country: "Ref | None"
    country_basis: "Grounds | None"
    wikidata: str | None
    evidence: list[Evidence]


class Role(Base, frozen=True, kw_only=True):
    """A position a person holds, as an article states it."""

    title: str
    organisation: "Ref | None"
    country: "Ref | None"
    basis: "Grounds | None"
    evidence: list[Evidence]


class Person(Served, frozen=True, kw_only=True):
    """A person named in an article, with the roles the article gives them."""

    name: str
    roles: list[Role]
    country: "Ref | None"
    wikidata: str | None
    evidence: list[Evidence]


class Member(Served, frozen=True, kw_only=True):
    """A membership: ``organisation`` has ``member`` (a country or an organisation)."""

    organisation: "Ref"
    member: "Ref"
    basis: "Grounds | None"
    article: "Ref"
    evidence: list[Evidence]


class Place(Base, frozen=True, kw_only=True):
    """Where a meeting took place; ``country`` only when the text says so."""

    name: str
    country: "Ref | None"
    evidence: list[Evidence]


class Participant(Base, frozen=True, kw_only=True):
    """Who took part in a meeting and in what role. Taking part is not membership."""

    participant: "Ref"
    role: ParticipantRole
    basis: "Grounds | None"
    evidence: list[Evidence]


class Meeting(Served, frozen=True, kw_only=True):
    """A summit, council session, exercise or bilateral talk, with who took part."""

    name: str
    kind: MeetingKind
    start: CalendarDate
    end: CalendarDate | None
    place: Place | None
    place_basis: "Grounds | None"
    organiser: "Ref | None"
    organiser_basis: "Grounds | None"
    participants: list[Participant]
    article: "Ref"
    evidence: list[Evidence]


class Quote(Served, frozen=True, kw_only=True):
    """Exact words a person said, with the speaker and, where the text says so, the occasion."""

    text: str
    speaker: "Ref"
    speaker_basis: "Grounds | None"
    addressee: "Party | None"
    meeting: "Ref | None"
    meeting_basis: "Grounds | None"
    date: CalendarDate | None
    date_basis: "Grounds | None"
    article: "Ref"
    evidence: list[Evidence]


class Statistic(Served, frozen=True, kw_only=True):
    """A number the text states, or the bounds it supports: value, unit, qualifier, bounds.

    ``qualifier`` says how the number is meant, and ``bounds`` what that allows: ``exact``
    [v, v]; ``approximately`` ("about") [0.9 v, 1.1 v], rounded, a stated convention;
    ``more_than`` (v, none); ``less_than`` (none, v); ``at_least`` [v, none]; ``at_most``
    [none, v]; ``range`` [value, value_max]; ``multiples_of`` ("dozens of", "hundreds of": the
    plural means at least two of them) [24, none] or [200, none], with no ``value``, since the
    text states no number. ``wording`` is the qualifying words as written. Value filters match
    by overlap with the bounds, exclusive ends excluded.
    """

    value: int | float | None
    value_max: int | float | None
    bounds: "Bounds"
    wording: str | None
    unit: str
    qualifier: Qualifier
    measure: Annotated[str, Meta(description="What is counted or measured.")]
    basis: Annotated[
        "Grounds | None", Meta(description="Whose figure it is: the narrator's or a speaker's.")
    ]
    subject: "Ref | None"
    subject_basis: "Grounds | None"
    date: CalendarDate | None
    date_basis: "Grounds | None"
    article: "Ref"
    evidence: list[Evidence]


Bound = Annotated[int | float | None, Meta(description="None: unbounded on this side.")]


class Bounds(Base, frozen=True, kw_only=True):
    """The values a number the text gives may have: from ``min`` to ``max``."""

    min: Bound
    min_exclusive: bool = False
    max: Bound
    max_exclusive: bool = False


class Grounds(Base, frozen=True, kw_only=True):
    """How a relation is known.

    ``stated``: the narrator says it. ``attributed``: it rests on someone's words, named in
    ``attributed_to`` (inside a quotation or a reported clause). ``inferred``: the curator's
    reading of the context beyond the sentence; ``note`` says from what, ``evidence`` may point
    at that context.
    """

    basis: Basis
    attributed_to: "Ref | None"
    note: str | None
    evidence: list[Evidence]


class Party(Base, frozen=True, kw_only=True):
    """Who speaks or is spoken to: a person, organisation or country, or a meeting, meaning the
    people at it; ``label`` is how the text names them when that says more than the name."""

    who: "Ref"
    label: str | None
    basis: Grounds


class Actor(Base, frozen=True, kw_only=True):
    """Who took part in an event, in what role, and how that is known."""

    who: "Ref"
    role: ActorRole
    label: str | None
    basis: Grounds


class Related(Base, frozen=True, kw_only=True):
    """A link to another record (a statistic, event, statement or meeting) and how it is known."""

    target: "Ref"
    relation: Relation | None
    basis: Grounds


class Statement(Served, frozen=True, kw_only=True):
    """Reported (indirect) speech or a joint statement: who said it, to whom when the text says,
    when and where, the reporting verb as ``kind``, and a short neutral ``summary`` in the
    curator's words. Direct quotations are quotes, not statements."""

    kind: StatementKind
    speaker: Party
    addressee: Party | None
    date: CalendarDate | None
    date_basis: Grounds | None
    meeting: "Ref | None"
    meeting_basis: Grounds | None
    joint: Annotated[bool, Meta(description="A statement several parties issued together.")]
    summary: str
    statistics: list[Related]
    events: list[Related]
    statements: list[Related]
    article: "Ref"
    evidence: list[Evidence]


class Event(Served, frozen=True, kw_only=True):
    """A dated happening that is not a gathering: a delivery, withdrawal, declaration, operation,
    exercise, founding or dissolution, with its actors and place.

    ``start`` and ``end`` are given when the text dates the happening; ``no_later_than`` when it
    only says it had happened, or was under way, by then.
    """

    kind: EventKind
    name: str
    summary: str
    start: CalendarDate | None
    end: CalendarDate | None
    no_later_than: CalendarDate | None
    date_basis: Grounds | None
    actors: list[Actor]
    place: "Place | None"
    place_basis: Grounds | None
    items: Annotated[list[str], Meta(description="What was delivered or used, word for word.")]
    statistics: list[Related]
    meetings: list[Related]
    statements: list[Related]
    article: "Ref"
    evidence: list[Evidence]


#: The noun of every served model, in the order they are defined.
NOUNS: tuple[str, ...] = tuple(model.__name__.lower() for model in Served.__subclasses__())
Noun = Literal[NOUNS]  # type: ignore[valid-type]


class Ref(Base, frozen=True, kw_only=True):
    """A reference to another record, readable without a second request."""

    type: Noun
    id: Slug
    name: str
    href: Href


class FacetValue(Base, frozen=True, kw_only=True):
    """One value of a facet: how many filtered records have it, and the list filtered by it."""

    value: str
    count: Annotated[int, Meta(ge=1)]
    href: Href


class PageMeta(Base, frozen=True, kw_only=True):
    """Paging facts of a collection response."""

    total: Annotated[int, Meta(ge=0, description="Records matching the filters, all pages.")]
    limit: Annotated[int, Meta(ge=1, le=500)]
    next_cursor: str | None
    #: Only when ``facet`` was given: per name, its values over the filtered set.
    facets: dict[str, list[FacetValue]] | UnsetType = UNSET


class PageLinks(Base, frozen=True, kw_only=True):
    """Links of a collection response."""

    self: Href
    next: Href | None


class SearchHit(Base, frozen=True, kw_only=True):
    """One search match: the record's type, a reference to it and a snippet of the match."""

    type: Noun
    id: Slug
    name: str
    href: Href
    snippet: Annotated[str, Meta(description="Matched text; matches are wrapped in [ and ].")]


class Health(Base, frozen=True, kw_only=True):
    """Liveness and the dataset version being served."""

    status: Literal["ok"]
    version: str


class ParameterError(Base, frozen=True, kw_only=True):
    """One invalid input: which parameter and what was wrong with it."""

    parameter: str
    detail: str


class Problem(Base, frozen=True, kw_only=True):
    """An RFC 9457 problem document; ``errors`` names each invalid parameter."""

    type: str
    title: str
    status: Annotated[int, Meta(ge=400, le=599)]
    detail: str
    errors: list[ParameterError] = []
    request_id: Annotated[
        str,
        Meta(description="The response's X-Request-Id, as the server log has it: quote it."),
    ]
