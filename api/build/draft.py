"""``python -m api draft SEED``: the candidate facts of a new article, for a curator to review.

The draft is a fixture file (JSON on stdout) in which every record carries a ``"draft"`` key
saying how it was found, and the known-entity mentions and unknown names stand under
``draft_mentions`` and ``draft_names``. The build refuses all three (fixture records and files
accept no unknown keys), so a draft cannot be served by mistake: the curator confirms a record by
deleting its ``draft`` key, deletes what is not a fact, and moves what is left into fixtures/.

Every candidate's evidence is exact (``text[start:end]``, code points). What it finds:

* quotations between “ and ” (or straight quotes), split by the narrator or not; an opening mark
  with no closing one before the next opening mark or the paragraph's end ends where the speaker's
  words end: before the narrator's first participle clause (", stressing that …"), at the latest
  at the paragraph's end. The speaker is guessed as the nearest known person named before the
  quote beside a verb of speech;
* numbers (digits, number words, "dozens/hundreds/thousands of") with the qualifier in front of
  them ("more than", "about", …), the noun they count and a unit from that noun; years, days of
  dates, ordinals and model numbers (Su-25) are not numbers of things;
* dates: "September 14-15", "18 September", "June 2014", "in 2009", "this month", with their
  precision and whether the year had to be inferred (from ``--date``, the article's own date);
* meetings: a sentence with a date and a gathering word; events: one with a date and a word of
  happening ("exercises", "formed", "declared", "received", …), with the kind it suggests;
* mentions of every known entity (names, short names, aliases, people's surnames) and capitalised
  names that are not known yet.

Plain regular expressions over one article are enough for all of this and keep the draft
deterministic and free of downloads; dateparser's ``search_dates`` was the alternative and finds
far more false dates ("may", "march" as verbs) than it finds real ones in news prose.
"""

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

RSQUO = "\u2019"  # the apostrophe of the seed texts


def _words(text: str) -> list[str]:
    return text.split()


MONTHS = _words(
    "January February March April May June July August September October November December"
)
_MONTH = "|".join(MONTHS)
_NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        _words(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
            "fifteen sixteen seventeen eighteen nineteen twenty"
        )
    )
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70}
_TENS |= {"eighty": 80, "ninety": 90}
#: "dozens of X": the least the plural can mean, as a ``multiples_of`` value.
VAGUE = {"dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1000, "millions": 1_000_000}
QUALIFIERS = {
    "more than": "more_than",
    "over": "more_than",
    "at least": "at_least",
    "about": "approximately",
    "around": "approximately",
    "approximately": "approximately",
    "nearly": "approximately",
    "some": "approximately",
    "up to": "at_most",
    "less than": "less_than",
    "fewer than": "less_than",
}
#: The unit of what a noun counts, by the noun's last word.
UNITS = {
    "people": "people",
    "citizens": "people",
    "personnel": "people",
    "militants": "people",
    "soldiers": "people",
    "troops": "people",
    "transports": "aircraft",
    "jets": "aircraft",
    "aircraft": "aircraft",
}
IRREGULAR_PAST = set(
    _words("left flew fled went came fought made took said told ran fell rose won lost sent met")
)
SPEECH = (
    r"said|says|remarked|remarking|warned|added|announced|concluded|noted|stated|told|telling"
    r"|observing|observed|suggested|declared|stressed|stressing"
)
#: Participles with which a narrator takes over from a speaker whose quote is not closed.
NARRATOR = re.compile(
    r",\s+(?:before\s+)?(?:stressing|noting|adding|saying|explaining|insisting|warning|telling"
    r"|observing|remarking|concluding|arguing|emphasi[sz]ing|underlining|pointing|calling)\b"
)
GATHERINGS = re.compile(r"\b(?:gathered|summit|session|meeting|talks|conference|congress|forum)\b")
_KINDS = {"summit": "summit", "gathered": "summit", "session": "council_session"}
_KINDS |= {"meeting": "bilateral_talks", "talks": "bilateral_talks"}
#: Words that name a happening which is not a gathering, and the event kind each suggests.
HAPPENINGS = {
    "exercise": r"exercises?",
    "founding": r"formed|founded|established",
    "end_of_state": r"collapse|dissolution",
    "withdrawal": r"ending|ended|withdr[a-z]*",
    "delivery": r"delivered|received|shipment|provided|flown",
    "deployment": r"sent|deployed",
    "operation": r"operated|operations?|shut down",
    "declaration": r"declared|declaration",
}
_HAPPENING = re.compile(
    "|".join(rf"(?P<{kind}>\b(?:{words})\b)" for kind, words in HAPPENINGS.items())
)
#: Capitalised words that begin sentences and clauses rather than names.
FUNCTION_WORDS = set(
    _words(
        "A An The That This These Those We It In On At As By For From Of To While Despite Nor If"
    )
)


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int


class Article:
    """The text of the article being drafted, with what is found in it."""

    def __init__(self, id: str, text: str) -> None:
        self.id = id
        self.text = text

    def evidence(self, span: Span) -> dict[str, Any]:
        exact = self.text[span.start : span.end]
        return {"article": self.id, "start": span.start, "end": span.end, "exact": exact}

    def paragraphs(self) -> Iterator[Span]:
        at = 0
        for part in re.split(r"(\n\s*\n)", self.text):
            if part.strip():
                yield Span(at, at + len(part))
            at += len(part)

    def sentences(self) -> Iterator[Span]:
        for paragraph in self.paragraphs():
            chunk = self.text[paragraph.start : paragraph.end]
            for match in re.finditer(r"[^.!?…]+(?:[.!?…]+[”\"]?|$)", chunk):
                if match.group().strip():
                    lead = len(match.group()) - len(match.group().lstrip())
                    yield Span(
                        paragraph.start + match.start() + lead, paragraph.start + match.end()
                    )


def slug(*words: str) -> str:
    text = "-".join(words).lower().replace(RSQUO, "").replace("'", "")
    return "-".join(re.findall(r"[a-z0-9]+", text))[:80].strip("-") or "draft"


# --- quotes -----------------------------------------------------------------------------------


def quotations(article: Article) -> Iterator[tuple[Span, Span, str]]:
    """Each quotation's paragraph, its words (marks excluded) and how its end was found."""
    text = article.text
    for paragraph in article.paragraphs():
        at = paragraph.start
        while True:
            opening = _next_mark(text, at, paragraph.end, '“"')
            if opening < 0:
                break
            closing = _next_mark(text, opening + 1, paragraph.end, '”"')
            reopening = _next_mark(text, opening + 1, paragraph.end, "“")
            if closing >= 0 and (reopening < 0 or closing < reopening):
                found, how, at = Span(opening + 1, closing), "quoted", closing + 1
            else:
                at = reopening if reopening >= 0 else paragraph.end
                end = _speakers_words_end(text, opening + 1, at)
                found, how = (
                    Span(opening + 1, end),
                    "no closing mark: ends where the narrator resumes",
                )
            if text[found.start : found.end].strip():
                yield paragraph, found, how


def _next_mark(text: str, start: int, end: int, marks: str) -> int:
    found = [at for at in (text.find(mark, start, end) for mark in marks) if at >= 0]
    return min(found, default=-1)


def _speakers_words_end(text: str, start: int, limit: int) -> int:
    """Before the narrator's first participle of speech (", stressing that …"), else the limit."""
    narrator = NARRATOR.search(text, start, limit)
    end = narrator.start() if narrator else limit
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


# --- entities ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    entity: str
    type: str
    span: Span


def names(entities: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(type, id, name) for every way the known entities are named."""
    for plural, kind in (("countries", "country"), ("organisations", "organisation")):
        for record in entities.get(plural, []):
            for name in (record["name"], record.get("short_name"), *record.get("aliases", [])):
                if name:
                    yield kind, record["id"], name
    for person in entities.get("people", []):
        yield "person", person["id"], person["name"]
        yield "person", person["id"], person["name"].split()[-1]


def mentions(article: Article, entities: dict[str, Any]) -> list[Mention]:
    """Every known name in the text; a longer name wins over a shorter one it contains."""
    found: list[Mention] = []
    taken: set[int] = set()
    for kind, id, name in sorted(names(entities), key=lambda item: -len(item[2])):
        for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", article.text):
            span = Span(match.start(), match.end())
            if taken.isdisjoint(range(span.start, span.end)):
                found.append(Mention(id, kind, span))
                taken.update(range(span.start, span.end))
    return sorted(found, key=lambda mention: mention.span)


def unknown_names(article: Article, known: list[Mention]) -> Iterator[Span]:
    """Runs of capitalised words that no known name covers (sentence-initial words alone not)."""
    taken = {at for mention in known for at in range(mention.span.start, mention.span.end)}
    starts = {sentence.start for sentence in article.sentences()}
    word = rf"[A-Z][\w{RSQUO}-]*"
    pattern = rf"{word}(?:\s+(?:of\s+the\s+|of\s+|al-)?{word})*"
    for match in re.finditer(pattern, article.text):
        words = list(re.finditer(r"\S+", match.group()))
        while words and (words[0].group() in FUNCTION_WORDS or words[0].group() in MONTHS):
            words.pop(0)
        if not words:
            continue
        span = Span(match.start() + words[0].start(), match.end())
        alone = len(words) == 1 and span.start in starts
        if taken.isdisjoint(range(span.start, span.end)) and not alone:
            yield span


# --- dates ------------------------------------------------------------------------------------

_DATES = (
    re.compile(
        rf"\b(?P<month>{_MONTH}) (?P<day>\d{{1,2}})(?:-(?P<day2>\d{{1,2}}))?"
        r"(?:,? (?P<year>\d{4}))?\b"
    ),
    re.compile(rf"\b(?P<day>\d{{1,2}}) (?P<month>{_MONTH})(?: (?P<year>\d{{4}}))?\b"),
    re.compile(rf"\b(?P<month>{_MONTH}) (?P<year>\d{{4}})\b"),
    re.compile(r"\b(?:in|of|since|by|until) (?P<year>(?:19|20)\d{2})\b"),
    re.compile(r"\b(?P<this>this month)\b"),
)


@dataclass(frozen=True)
class Dated:
    span: Span
    start: dict[str, Any]
    end: dict[str, Any] | None


def dates(article: Article, published: str) -> list[Dated]:
    """Every date the text gives, earliest pattern first where two overlap."""
    found: list[Dated] = []
    taken: set[int] = set()
    patterns = _DATES if len(published) >= 7 else _DATES[:-1]  # "this month" needs a month
    for pattern in patterns:
        for match in pattern.finditer(article.text):
            span = Span(match.start(), match.end())
            if taken.isdisjoint(range(span.start, span.end)):
                found.append(_dated(span, match, published))
                taken.update(range(span.start, span.end))
    return sorted(found, key=lambda dated: dated.span)


def _dated(span: Span, match: re.Match[str], published: str) -> Dated:
    parts = match.groupdict()
    inferred = parts.get("year") is None
    year = parts.get("year") or published[:4]
    if parts.get("this"):  # only found when the article's month is known (see dates)
        return Dated(span, _date(published[:7], "month", True), None)
    if parts.get("month") is None:
        return Dated(span, _date(year, "year", False), None)
    month = f"{year}-{MONTHS.index(parts['month']) + 1:02d}"
    if parts.get("day") is None:
        return Dated(span, _date(month, "month", inferred), None)
    start = _date(f"{month}-{int(parts['day']):02d}", "day", inferred)
    day2 = parts.get("day2")
    end = _date(f"{month}-{int(day2):02d}", "day", inferred) if day2 else None
    return Dated(span, start, end)


def _date(value: str, precision: str, inferred: bool) -> dict[str, Any]:
    return {"value": value, "precision": precision, "year_inferred": inferred}


# --- numbers ----------------------------------------------------------------------------------

_WORD_NUMBER = "|".join([*_TENS, *_NUMBER_WORDS])
_AMOUNT = re.compile(
    rf"(?<![\w-])(?:(?P<vague>{'|'.join(VAGUE)}) of"
    r"|(?P<digits>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
    rf"|(?P<words>(?:{_WORD_NUMBER})(?:-(?:{_WORD_NUMBER}))?))(?![\w-])",
    re.IGNORECASE,
)
_QUALIFIER = re.compile(rf"(?<![\w-])(?:{'|'.join(QUALIFIERS)})\s+$", re.IGNORECASE)
_NOUN_STOP = re.compile(
    r"^(?:are|is|was|were|have|has|had|will|would|in|on|at|for|from|to|of|and|or|by|with|that"
    r"|which|who|now|currently|involved|fighting|after|before|earlier|later|carrying|fight)$"
)


@dataclass(frozen=True)
class Amount:
    span: Span
    value: int | float
    qualifier: str
    noun: str
    unit: str
    #: The words that qualify the number as the text writes them ("about", "dozens of").
    wording: str | None

    def bounds(self) -> dict[str, Any]:
        """The values the text supports, by the rule fixtures follow (CURATING.md): the number
        itself when exact, ±10 % for "about", open-ended for "more than" and the like, and
        at least two of the unit for a plural ("dozens of": at least 24)."""
        value = self.value
        low, high = {
            "exact": (value, value),
            "approximately": (round(value * 0.9), round(value * 1.1)),
            "more_than": (value, None),
            "at_least": (value, None),
            "less_than": (None, value),
            "at_most": (None, value),
            "multiples_of": (2 * value, None),
        }[self.qualifier]
        exclusive = {"more_than": "min_exclusive", "less_than": "max_exclusive"}
        bounds: dict[str, Any] = {"min": low, "max": high}
        if self.qualifier in exclusive:
            bounds[exclusive[self.qualifier]] = True
        return bounds


def amounts(article: Article, dated: list[Dated]) -> Iterator[Amount]:
    """Numbers of things: not years, days of dates, ordinals or model numbers."""
    text = article.text
    in_dates = {at for date in dated for at in range(date.span.start, date.span.end)}
    for match in _AMOUNT.finditer(text):
        if match.start() in in_dates or _is_year(match):
            continue
        value, qualifier = _value(match)
        wording = match.group() if match.group("vague") else None
        lead = _QUALIFIER.search(text, max(0, match.start() - 20), match.start())
        if lead:
            qualifier = QUALIFIERS[lead.group().strip().lower()]
            wording = lead.group().strip()
        start = lead.start() if lead else match.start()
        noun = _noun_after(text, match.end()) or _noun_before(text, start)
        if noun is None:
            continue
        span = Span(start, match.end())
        yield Amount(span, value, qualifier, noun, _unit(noun), wording)


def _is_year(match: re.Match[str]) -> bool:
    digits = match.group("digits")
    return bool(digits) and len(digits) == 4 and digits[:2] in ("19", "20")


def _value(match: re.Match[str]) -> tuple[int | float, str]:
    if match.group("vague"):
        return VAGUE[match.group("vague").lower()], "multiples_of"
    if match.group("digits"):
        digits = match.group("digits").replace(",", "")
        return (float(digits) if "." in digits else int(digits)), "exact"
    words = match.group("words").lower().split("-")
    return sum(_TENS.get(word, _NUMBER_WORDS.get(word, 0)) for word in words), "exact"


def _noun_after(text: str, at: int) -> str | None:
    """Up to four words after a number, to the first punctuation or function word."""
    phrase = re.match(r"[^,.;:“”()]*", text[at : at + 80])
    words: list[str] = []
    for word in phrase.group().split() if phrase else []:
        if _NOUN_STOP.match(word.lower()) or not word[0].isalpha() or _is_verb(word):
            break
        words.append(word)
        if len(words) == 4:
            break
    return " ".join(words) or None


def _is_verb(word: str) -> bool:
    """A lower-case past tense ends a noun phrase ("50 soldiers left", "3 aircraft flew")."""
    return word.islower() and (word.endswith("ed") or word in IRREGULAR_PAST)


def _unit(noun: str) -> str:
    """The unit of what ``noun`` counts: from UNITS, "people" for a demonym ("Europeans",
    "Central Asians"), else the plural noun itself, else "units"."""
    last = noun.split()[-1]
    if last.lower() in UNITS:
        return UNITS[last.lower()]
    if last[0].isupper() and re.search(r"(?:an|ian|ean|ese|ish|i)s$", last):
        return "people"
    return re.sub(r"\W", "_", last.lower()) if last.lower().endswith("s") else "units"


def _noun_before(text: str, at: int) -> str | None:
    before = re.search(r"([a-z]+ [a-z]+) to\s+$", text[max(0, at - 40) : at])
    return before.group(1) if before else None


# --- the draft --------------------------------------------------------------------------------


def speaker(
    article: Article, known: list[Mention], paragraph: Span, quote: Span
) -> tuple[Mention, Span] | None:
    """Who is named as saying the quote: right after it ("…,” Lavrov said / said Lavrov), else
    the nearest person named before it in its paragraph beside a verb of speech."""
    people = [
        m for m in known if m.type == "person" and paragraph.start <= m.span.start < paragraph.end
    ]
    after = re.compile(rf"[”\"]?[,\s]*(?:(?:{SPEECH})\s+)?")
    lead = after.match(article.text, quote.end)
    for mention in people:
        if lead and mention.span.start == lead.end():
            spoken = re.compile(rf"\s+(?:{SPEECH})\b").match(article.text, mention.span.end)
            if spoken or re.search(SPEECH, lead.group()):
                end = spoken.end() if spoken else mention.span.end
                skipped = len(lead.group()) - len(lead.group().lstrip('”", \n'))
                return mention, Span(quote.end + skipped, end)
    verb = re.compile(rf"[^“”\"]{{0,80}}?\b(?:{SPEECH})\b")
    for mention in reversed([m for m in people if m.span.start < quote.start]):
        if article.text.startswith(f"{RSQUO}s", mention.span.end):  # a possessive names no speaker
            continue
        spoken = verb.match(article.text, mention.span.end)
        if spoken:
            return mention, Span(mention.span.start, spoken.end())
    return None


def _quote_records(article: Article, known: list[Mention], dated: list[Dated]) -> list[Any]:
    records: list[Any] = []
    for paragraph, span, how in quotations(article):
        words = article.text[span.start : span.end]
        found = speaker(article, known, paragraph, span)
        who = found[0].entity if found else "unknown-speaker"
        evidence = [article.evidence(span)] + ([article.evidence(found[1])] if found else [])
        when = _date_before(article, dated, found[1] if found else span)
        records.append(
            {
                "draft": f"quote, {how}; speaker {'guessed' if found else 'not found'}",
                "id": slug(who.split("-")[-1], *words.split()[:5]),
                "text": words,
                "speaker": who,
                "meeting": None,
                "date": when.start if when else None,
                "evidence": evidence,
            }
        )
    return records


def _date_before(article: Article, dated: list[Dated], span: Span) -> Dated | None:
    """A date in the same sentence as ``span``, before it."""
    sentence = next((s for s in article.sentences() if s.start <= span.start < s.end), None)
    inside = [d for d in dated if sentence and sentence.start <= d.span.start < span.start]
    return inside[-1] if inside else None


def _statistic_records(article: Article, dated: list[Dated]) -> list[Any]:
    return [
        {
            "draft": "number with its qualifier and the noun it counts",
            "id": slug(str(amount.value), amount.noun),
            "value": None if amount.qualifier == "multiples_of" else amount.value,
            "bounds": amount.bounds(),
            "wording": amount.wording,
            "unit": amount.unit,
            "qualifier": amount.qualifier,
            "measure": amount.noun,
            "evidence": [article.evidence(amount.span)],
        }
        for amount in amounts(article, dated)
    ]


#: "telling X" / "told X": the words were said to someone, in a conversation.
_TELLING = re.compile(r"\b(?:telling|told)\b")


def _conversations(article: Article, known: list[Mention], dated: list[Dated]) -> list[Any]:
    """A dated sentence in which a person tells a named person something: a conversation."""
    records: list[Any] = []
    for sentence in article.sentences():
        telling = _TELLING.search(article.text, sentence.start, sentence.end)
        inside = [d for d in dated if sentence.start <= d.span.start < sentence.end]
        if telling is None or not inside:
            continue
        people = [m for m in known if m.type == "person" and sentence.start <= m.span.start]
        told = [m for m in people if telling.end() < m.span.start < telling.end() + 80]
        if told:
            words = article.text[sentence.start : sentence.end].strip()
            records.append(
                {
                    "draft": f"a date and {telling.group()!r} a named person in a sentence",
                    "id": slug("conversation", told[0].entity, inside[0].start["value"]),
                    "name": words[:120],
                    "kind": "conversation",
                    "start": inside[0].start,
                    "end": inside[0].end,
                    "evidence": [article.evidence(sentence)],
                }
            )
    return records


def _meeting_records(article: Article, dated: list[Dated]) -> list[Any]:
    """A meeting for each date of a sentence with a gathering word: the word nearest the date."""
    records: list[Any] = []
    for sentence in article.sentences():
        words = article.text[sentence.start : sentence.end]
        found = list(GATHERINGS.finditer(article.text, sentence.start, sentence.end))
        inside = [d for d in dated if sentence.start <= d.span.start < sentence.end]
        for date in inside if found else []:
            gathering = min(found, key=lambda word: abs(word.start() - date.span.start))
            records.append(
                {
                    "draft": f"a date and the gathering word {gathering.group()!r} in a sentence",
                    "id": slug(gathering.group(), date.start["value"]),
                    "name": words.strip()[:120],
                    "kind": _KINDS.get(gathering.group(), "summit"),
                    "start": date.start,
                    "end": date.end,
                    "evidence": [article.evidence(sentence)],
                }
            )
    return records


def _event_records(article: Article, dated: list[Dated]) -> list[Any]:
    """An event for each date of a sentence with a word of happening: the word nearest it."""
    records: list[Any] = []
    for sentence in article.sentences():
        words = article.text[sentence.start : sentence.end].strip()
        found = list(_HAPPENING.finditer(article.text, sentence.start, sentence.end))
        inside = [d for d in dated if sentence.start <= d.span.start < sentence.end]
        for date in inside if found else []:
            happening = min(found, key=lambda word: abs(word.start() - date.span.start))
            kind = happening.lastgroup or "operation"
            records.append(
                {
                    "draft": f"a date and the word {happening.group()!r} in a sentence",
                    "id": slug(kind, date.start["value"], str(date.span.start)),
                    "kind": kind,
                    "name": words[:120],
                    "summary": words,
                    "start": date.start,
                    "end": date.end,
                    "evidence": [article.evidence(sentence)],
                }
            )
    return records


def draft(seed: Path, entities: dict[str, Any], published: str) -> dict[str, Any]:
    """The draft fixture of the article in ``seed``, its date ``published`` (YYYY-MM[-DD])."""
    text = seed.read_text(encoding="utf-8")
    title = text.split("\n", 1)[0].strip()
    article = Article(slug(title), text)
    known = mentions(article, entities)
    dated = dates(article, published)
    precision = {4: "year", 7: "month", 10: "day"}[len(published)]
    return {
        "articles": [
            {
                "draft": "the first line as title; the date as given with --date",
                "id": article.id,
                "title": title,
                "source": seed.name,
                "date": _date(published, precision, False),
                "evidence": [article.evidence(Span(0, len(title)))],
            }
        ],
        "meetings": _meeting_records(article, dated) + _conversations(article, known, dated),
        "events": _event_records(article, dated),
        "quotes": _quote_records(article, known, dated),
        "statistics": _statistic_records(article, dated),
        "draft_dates": [
            {"start": d.start, "end": d.end, "evidence": [article.evidence(d.span)]} for d in dated
        ],
        "draft_mentions": [
            {"entity": m.entity, "type": m.type, "evidence": article.evidence(m.span)}
            for m in known
        ],
        "draft_names": [
            {"name": name, "evidence": [article.evidence(span) for span in spans]}
            for name, spans in _grouped(article, unknown_names(article, known)).items()
        ],
    }


def _grouped(article: Article, spans: Iterator[Span]) -> dict[str, list[Span]]:
    grouped: dict[str, list[Span]] = {}
    for span in spans:
        grouped.setdefault(article.text[span.start : span.end], []).append(span)
    return grouped


def article_date(value: str) -> str:
    """``--date``: YYYY, YYYY-MM or YYYY-MM-DD."""
    if not re.fullmatch(r"\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?", value):
        raise ValueError(value)
    return value


def latest_year(text: str) -> str:
    """The article's date when none is given: the latest year it mentions."""
    return max(re.findall(r"\b(?:19|20)\d{2}\b", text), default="2000")


def main(seed: Path, entities_file: Path, published: str | None) -> int:
    entities = msgspec.json.decode(entities_file.read_bytes())
    if published is None:
        published = latest_year(seed.read_text(encoding="utf-8"))
        print(
            f"draft: no --date; years the text leaves out are taken as {published}, the latest"
            " year it names: check them, or give the article's date with --date",
            file=sys.stderr,
        )
    encoded = msgspec.json.encode(draft(seed, entities, published))
    print(msgspec.json.format(encoded, indent=2).decode())
    return 0
