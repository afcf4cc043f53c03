"""Semantic checks of the decoded fixtures: ids, references, evidence spans, dates, ranges.

Each check raises :class:`BuildError` naming the file, the JSON path and what is wrong; the
first fault stops the build.
"""

import datetime
from collections.abc import Iterator
from typing import Any

from msgspec import Struct

from api.build.inputs import Inputs, Located
from api.model.catalog import BY_NAME, ENTITIES, RESOURCES, referable
from api.model.models import CalendarDate, Evidence
from api.model.records import (
    GroundsRecord,
    OrganisationRecord,
    QuoteRecord,
    StatisticRecord,
    references,
)

FACTS = tuple(resource.name for resource in RESOURCES if resource.fact)


def check(inputs: Inputs) -> None:
    ids = _check_ids(inputs)
    articles = _articles(inputs)
    for name, located in inputs.all():
        for suffix, target, to in references(located.record):
            kinds = referable(to)
            if not ids.get(target, set()) & set(kinds):
                wanted = " or ".join(BY_NAME[kind].noun for kind in kinds)
                raise located.error(f"reference {target!r} is not a known {wanted} id", suffix)
        _check_spans(located, articles)
        _check_dates(located)
        _check_record(name, located)


def _check_ids(inputs: Inputs) -> dict[str, set[str]]:
    """Ids are unique per list, and entity ids across all entity lists. Returns id -> lists."""
    kinds: dict[str, set[str]] = {}
    seen: dict[tuple[str, str], Located] = {}
    for name, located in inputs.all():
        scope = "entities" if name in ENTITIES else name
        key = (scope, located.record.id)
        if key in seen:
            first = seen[key]
            where = f"{first.file} at {first.path}"
            raise located.error(f"duplicate id {located.record.id!r} (first at {where})", ".id")
        seen[key] = located
        kinds.setdefault(located.record.id, set()).add(name)
    return kinds


def _articles(inputs: Inputs) -> dict[str, str]:
    texts: dict[str, str] = {}
    for located in inputs.records["articles"]:
        source = located.record.source
        if source not in inputs.texts:
            raise located.error(f"seed file {source!r} not found in seeds/", ".source")
        texts[located.record.id] = inputs.texts[source]
    return texts


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every nested Struct of a record with its JSON path suffix, depth first."""
    if isinstance(value, Struct):
        yield path, value
        for name in value.__struct_fields__:
            yield from walk(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")


def _check_spans(located: Located, articles: dict[str, str]) -> None:
    for suffix, span in walk(located.record):
        if not isinstance(span, Evidence):
            continue
        text = articles.get(span.article)
        if text is None:
            raise located.error(
                f"evidence names unknown article {span.article!r}", f"{suffix}.article"
            )
        if span.end <= span.start:
            raise located.error(f"end {span.end} is not after start {span.start}", f"{suffix}.end")
        if span.end > len(text):
            raise located.error(
                f"end {span.end} is beyond the text ({len(text)} code points)", f"{suffix}.end"
            )
        actual = text[span.start : span.end]
        if actual != span.exact:
            raise located.error(
                f"exact {span.exact!r} does not match the text at [{span.start}:{span.end}]: "
                f"{actual!r}",
                f"{suffix}.exact",
            )


def parse_date(date: CalendarDate) -> datetime.date:
    """The first day a date denotes; raises ValueError when value and precision disagree."""
    parts = date.value.split("-")
    expected = {"year": 1, "month": 2, "day": 3}[date.precision]
    if len(parts) != expected:
        raise ValueError(f"value {date.value!r} does not have {date.precision} precision")
    year, month, day = (int(part) for part in [*parts, "01", "01"][:3])
    return datetime.date(year, month, day)


def _check_dates(located: Located) -> None:
    for suffix, date in walk(located.record):
        if isinstance(date, CalendarDate):
            try:
                parse_date(date)
            except ValueError as exc:
                raise located.error(str(exc), suffix) from None


def _check_record(name: str, located: Located) -> None:
    record = located.record
    if name in FACTS or name == "articles":
        _require_evidence(located)
    if name in FACTS:
        articles = {span.article for _, span in walk(record) if isinstance(span, Evidence)}
        if len(articles) > 1:
            raise located.error(
                f"a fact's evidence must come from one article, not {sorted(articles)}"
            )
    if isinstance(record, QuoteRecord) and all(
        span.exact != record.text for span in record.evidence
    ):
        raise located.error("text is not the exact of any of the quote's evidence spans", ".text")
    if isinstance(record, StatisticRecord):
        _check_statistic(located, record)
    start, end = getattr(record, "start", None), getattr(record, "end", None)
    if (
        isinstance(start, CalendarDate)
        and isinstance(end, CalendarDate)
        and parse_date(end) < parse_date(start)
    ):
        raise located.error("end is before start", ".end")
    for suffix, grounds in walk(record):
        if isinstance(grounds, GroundsRecord):
            _check_grounds(located, grounds, suffix)
    if isinstance(record, OrganisationRecord) and record.parent == record.id:
        raise located.error("an organisation cannot be its own parent", ".parent")


def _check_grounds(located: Located, grounds: GroundsRecord, suffix: str) -> None:
    """``attributed`` exactly when someone's words are named; ``inferred`` says from what."""
    if (grounds.basis == "attributed") != (grounds.attributed_to is not None):
        raise located.error(
            "attributed_to is given exactly when the basis is 'attributed'",
            f"{suffix}.attributed_to",
        )
    if grounds.basis == "inferred" and grounds.note is None:
        raise located.error("an inferred relation needs a note saying from what", f"{suffix}.note")


def _require_evidence(located: Located) -> None:
    if not located.record.evidence:
        raise located.error("a fact needs at least one evidence span", ".evidence")


def _check_statistic(located: Located, record: StatisticRecord) -> None:
    if (record.qualifier == "range") != (record.value_max is not None):
        raise located.error(
            "value_max is given exactly when the qualifier is 'range'", ".value_max"
        )
    if record.value is None and record.qualifier != "multiples_of":
        raise located.error("only 'multiples_of' may leave the value out", ".value")
    if (
        record.value is not None
        and record.value_max is not None
        and record.value_max < record.value
    ):
        raise located.error("value_max is below value", ".value_max")
    low, high = record.bounds.min, record.bounds.max
    if low is not None and high is not None and high < low:
        raise located.error("bounds.max is below bounds.min", ".bounds.max")
    for stated in (record.value, record.value_max):
        beyond = stated is not None and (
            (low is not None and stated < low) or (high is not None and stated > high)
        )
        if beyond:
            raise located.error(f"the bounds do not contain the stated value {stated}", ".bounds")
