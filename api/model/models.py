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
        examples=["csto"],
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
MeetingKind = Literal["summit", "council_session", "exercise", "bilateral_talks"]
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


class Date(Base, frozen=True, kw_only=True):
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
    date: Date
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
    founded: Date | None
    parent: "Ref | None"
    country: "Ref | None"
    wikidata: str | None
    evidence: list[Evidence]


class Role(Base, frozen=True, kw_only=True):
    """A position a person holds, as an article states it."""

    title: str
    organisation: "Ref | None"
    country: "Ref | None"
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
    evidence: list[Evidence]


class Meeting(Served, frozen=True, kw_only=True):
    """A summit, council session, exercise or bilateral talk, with who took part."""

    name: str
    kind: MeetingKind
    start: Date
    end: Date | None
    place: Place | None
    organiser: "Ref | None"
    participants: list[Participant]
    article: "Ref"
    evidence: list[Evidence]


class Quote(Served, frozen=True, kw_only=True):
    """Exact words a person said, with the speaker and, where the text says so, the occasion."""

    text: str
    speaker: "Ref"
    meeting: "Ref | None"
    date: Date | None
    article: "Ref"
    evidence: list[Evidence]


class Statistic(Served, frozen=True, kw_only=True):
    """A number the text states: ``value`` (and ``value_max`` for a range), unit, qualifier.

    ``qualifier`` says how the number is meant: ``exact``, ``approximately`` ("about"),
    ``more_than``, ``less_than``, ``at_least``, ``at_most``, ``range`` (value to value_max) or
    ``multiples_of`` ("dozens of": an unstated multiple of ``value``).
    """

    value: int | float
    value_max: int | float | None
    unit: str
    qualifier: Qualifier
    measure: Annotated[str, Meta(description="What is counted or measured.")]
    subject: "Ref | None"
    date: Date | None
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


class Index(Base, frozen=True, kw_only=True):
    """Entry point: the dataset version, every collection and its record count."""

    version: str
    collections: dict[str, Href]
    counts: dict[str, int]


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
