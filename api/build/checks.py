"""Semantic checks of the decoded fixtures: ids, references, evidence spans, dates, ranges.

Each check yields a :class:`Fault` for everything it finds wrong, naming the file, the JSON path,
the fault and, where one is due, a suggestion. :func:`faults` gathers them with what could not be
decoded: ``python -m api check`` prints them all, the build refuses inputs that have any.

A fault is reported once, where it is: references to a record that could not be decoded are not
unknown, spans of an article whose seed is missing are not checked against a text, and when a
file could not be read as lists of records at all (its ids are unknown) references are not
checked until it can.
"""

import datetime
from collections.abc import Iterator
from typing import Any

from msgspec import Struct

from api.build.inputs import LISTS, Inputs, Located
from api.build.suggestions import closest, placement
from api.model.catalog import BY_NAME, ENTITIES, RESOURCES, referable
from api.model.errors import Fault, steps
from api.model.models import CalendarDate, Evidence
from api.model.records import (
    GroundsRecord,
    OrganisationRecord,
    QuoteRecord,
    StatisticRecord,
    references,
)

FACTS = tuple(resource.name for resource in RESOURCES if resource.fact)
#: Lists each id is in (records that could not be decoded included); None: not known.
Known = dict[str, set[str]] | None


def faults(inputs: Inputs) -> list[Fault]:
    """Every fault of the inputs, by file and, within a file, by record in file order."""
    return sorted(_every(inputs), key=_order)


def _order(fault: Fault) -> tuple[str, int, int]:
    """A fault's file, then its record (list in ``Dataset`` order, index); the file itself first."""
    where = steps(fault.path)[:2] if fault.path.startswith("$") else []
    if len(where) == 2 and isinstance(where[0], str) and isinstance(where[1], int):
        return fault.file, LISTS.index(where[0]), where[1]
    return fault.file, -1, -1


def _every(inputs: Inputs) -> Iterator[Fault]:
    yield from inputs.faults
    yield from _duplicates(inputs)
    yield from _seeds(inputs)
    known = None if inputs.unreadable else _known(inputs)
    texts = _texts(inputs)
    for name, located in inputs.all():
        yield from _references(located, known)
        yield from _spans(located, texts, known)
        yield from _dates(located)
        yield from _record(name, located)


def _duplicates(inputs: Inputs) -> Iterator[Fault]:
    """Ids are unique per list, and entity ids across all entity lists."""
    seen: dict[tuple[str, str], Located] = {}
    for name, located in inputs.all():
        key = ("entities" if name in ENTITIES else name, located.record.id)
        first = seen.setdefault(key, located)
        if first is not located:
            where = f"{first.file} at {first.path}"
            yield located.fault(f"duplicate id {located.record.id!r} (first at {where})", ".id")


def _known(inputs: Inputs) -> dict[str, set[str]]:
    kinds: dict[str, set[str]] = {}
    decoded = {(name, located.record.id) for name, located in inputs.all()}
    for name, record_id in decoded | inputs.undecoded:
        kinds.setdefault(record_id, set()).add(name)
    return kinds


def _seeds(inputs: Inputs) -> Iterator[Fault]:
    present = {name for name, _ in inputs.digest_parts}
    for located in inputs.records["articles"]:
        source = located.record.source
        if f"seeds/{source}" not in present:
            yield located.fault(f"seed file {source!r} not found in seeds/", ".source")


def _texts(inputs: Inputs) -> dict[str, str]:
    """Each article's text by id, where its seed could be read."""
    articles = inputs.records["articles"]
    return {
        a.record.id: inputs.texts[a.record.source]
        for a in articles
        if a.record.source in inputs.texts
    }


def _ids(known: dict[str, set[str]], kinds: tuple[str, ...]) -> Iterator[str]:
    return (record_id for record_id, lists in known.items() if lists & set(kinds))


def _references(located: Located, known: Known) -> Iterator[Fault]:
    if known is None:
        return
    for suffix, target, to in references(located.record):
        kinds = referable(to)
        if not known.get(target, set()) & set(kinds):
            wanted = " or ".join(BY_NAME[kind].noun for kind in kinds)
            hint = closest(target, _ids(known, kinds))
            yield located.fault(f"reference {target!r} is not a known {wanted} id", suffix, hint)


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every nested Struct of a record with its JSON path suffix, depth first."""
    if isinstance(value, Struct):
        yield path, value
        for name in value.__struct_fields__:
            yield from walk(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")


def _spans(located: Located, texts: dict[str, str], known: Known) -> Iterator[Fault]:
    for suffix, span in walk(located.record):
        if not isinstance(span, Evidence):
            continue
        text = texts.get(span.article)
        if text is not None:
            yield from _span(located, suffix, span, text)
        elif known is not None and "articles" not in known.get(span.article, set()):
            hint = closest(span.article, _ids(known, ("articles",)))
            where = f"{suffix}.article"
            yield located.fault(f"evidence names unknown article {span.article!r}", where, hint)


def _span(located: Located, suffix: str, span: Evidence, text: str) -> Iterator[Fault]:
    """At most one fault per span, offsets first; the suggestion says where its words are."""
    found = _span_fault(span, text)
    if found is not None:
        detail, member = found
        hint = placement(text, span.exact, span.start)
        yield located.fault(detail, f"{suffix}.{member}", hint)


def _span_fault(span: Evidence, text: str) -> tuple[str, str] | None:
    """What is wrong with a span and in which member, or None."""
    if span.end <= span.start:
        return f"end {span.end} is not after start {span.start}", "end"
    if span.end > len(text):
        return f"end {span.end} is beyond the text ({len(text)} code points)", "end"
    actual = text[span.start : span.end]
    if actual != span.exact:
        at = f"[{span.start}:{span.end}]"
        return f"exact {span.exact!r} does not match the text at {at}: {actual!r}", "exact"
    return None


def parse_date(date: CalendarDate) -> datetime.date:
    """The first day a date denotes; raises ValueError when value and precision disagree."""
    parts = date.value.split("-")
    expected = {"year": 1, "month": 2, "day": 3}[date.precision]
    if len(parts) != expected:
        raise ValueError(f"value {date.value!r} does not have {date.precision} precision")
    year, month, day = (int(part) for part in [*parts, "01", "01"][:3])
    return datetime.date(year, month, day)


def _first_day(date: Any) -> datetime.date | None:
    """The first day of a valid date; None for anything else (a bad date is its own fault)."""
    try:
        return parse_date(date) if isinstance(date, CalendarDate) else None
    except ValueError:
        return None


def _dates(located: Located) -> Iterator[Fault]:
    for suffix, date in walk(located.record):
        if isinstance(date, CalendarDate):
            try:
                parse_date(date)
            except ValueError as exc:
                yield located.fault(str(exc), suffix)


def _record(name: str, located: Located) -> Iterator[Fault]:
    record = located.record
    if name in FACTS or name == "articles":
        yield from _evidence(name, located)
    if isinstance(record, QuoteRecord) and all(s.exact != record.text for s in record.evidence):
        yield located.fault("text is not the exact of any of the quote's evidence spans", ".text")
    if isinstance(record, StatisticRecord):
        yield from _statistic(located, record)
    start, end = (
        _first_day(getattr(record, "start", None)),
        _first_day(getattr(record, "end", None)),
    )
    if start is not None and end is not None and end < start:
        yield located.fault("end is before start", ".end")
    for suffix, grounds in walk(record):
        if isinstance(grounds, GroundsRecord):
            yield from _grounds(located, grounds, suffix)
    if isinstance(record, OrganisationRecord) and record.parent == record.id:
        yield located.fault("an organisation cannot be its own parent", ".parent")


def _evidence(name: str, located: Located) -> Iterator[Fault]:
    """A fact or an article has evidence; a fact's comes from one article."""
    if not located.record.evidence:
        yield located.fault("a fact needs at least one evidence span", ".evidence")
    spans = walk(located.record)
    articles = {span.article for _, span in spans if isinstance(span, Evidence)}
    if name in FACTS and len(articles) > 1:
        yield located.fault(f"a fact's evidence must come from one article, not {sorted(articles)}")


def _grounds(located: Located, grounds: GroundsRecord, suffix: str) -> Iterator[Fault]:
    """``attributed`` exactly when someone's words are named; ``inferred`` says from what."""
    if (grounds.basis == "attributed") != (grounds.attributed_to is not None):
        yield located.fault(
            "attributed_to is given exactly when the basis is 'attributed'",
            f"{suffix}.attributed_to",
        )
    if grounds.basis == "inferred" and grounds.note is None:
        yield located.fault("an inferred relation needs a note saying from what", f"{suffix}.note")


def _statistic(located: Located, record: StatisticRecord) -> Iterator[Fault]:
    if (record.qualifier == "range") != (record.value_max is not None):
        yield located.fault(
            "value_max is given exactly when the qualifier is 'range'", ".value_max"
        )
    if record.value is None and record.qualifier != "multiples_of":
        yield located.fault("only 'multiples_of' may leave the value out", ".value")
    if (
        record.value is not None
        and record.value_max is not None
        and record.value_max < record.value
    ):
        yield located.fault("value_max is below value", ".value_max")
    low, high = record.bounds.min, record.bounds.max
    if low is not None and high is not None and high < low:
        yield located.fault("bounds.max is below bounds.min", ".bounds.max")
    for stated in (record.value, record.value_max):
        beyond = stated is not None and (
            (low is not None and stated < low) or (high is not None and stated > high)
        )
        if beyond:
            yield located.fault(f"the bounds do not contain the stated value {stated}", ".bounds")
