"""A synthetic corpus for the scale benchmark: seed texts and fixture files, valid for the build.

Every fact is a sentence of its article and its evidence points at exactly those characters,
so the corpus passes every check of ``python -m api build`` like curated data does. The output
is deterministic for a given size and seed.

    python -m bench.scale --out build/scale --articles 10000 --facts 1000000
"""

import argparse
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec


def _vocabulary(text: str) -> tuple[str, ...]:
    return tuple(text.split())


WORDS = _vocabulary(
    "security cooperation border region council summit treaty defence trade energy pipeline "
    "water grain bank loan railway port corridor army navy drill patrol envoy mission charter "
    "sanction tariff election reform budget census harvest drought flood aid vaccine school "
    "court ruling minister decree agency militia refugee convoy airport bridge dam reactor"
)
NAMES = _vocabulary(
    "ada bela cyra dana elin faro gaia hana ines jora kemi lina mira nora olan pera quin "
    "rana sela tove ulla vera wren xeno yara zeno"
)
KINDS = ("summit", "council_session", "conversation", "bilateral_talks")
UNITS = ("people", "troops", "usd", "tonnes", "km", "percent")
#: The qualifiers the corpus uses, each with the bounds it gives a value (the fixtures' rule).
BOUNDS = {
    "exact": lambda v: {"min": v, "max": v},
    "approximately": lambda v: {"min": round(v * 0.9), "max": round(v * 1.1)},
    "more_than": lambda v: {"min": v, "min_exclusive": True, "max": None},
    "at_least": lambda v: {"min": v, "max": None},
}
QUALIFIERS = tuple(BOUNDS)
ORG_KINDS = ("intergovernmental_organisation", "military_alliance", "government_agency")
ROLES = ("head_of_state", "delegation", "official")
#: Facts per article by kind: quotes, statistics, meetings, members (in that proportion).
MIX = (("quotes", 4), ("statistics", 4), ("meetings", 1), ("members", 1))
PER_FILE = 200


@dataclass
class Sizes:
    articles: int
    facts: int
    countries: int = 200
    organisations: int = 400
    people: int = 4000

    @classmethod
    def for_facts(cls, articles: int, facts: int) -> "Sizes":
        scale = max(facts / 1_000_000, 0.002)
        return cls(
            articles=articles,
            facts=facts,
            countries=max(20, int(200 * min(scale * 10, 1))),
            organisations=max(20, int(400 * min(scale * 10, 1))),
            people=max(50, int(4000 * min(scale * 10, 1))),
        )


@dataclass
class Article:
    """An article under construction: its sentences and where each starts."""

    id: str
    text: list[str] = field(default_factory=list)
    length: int = 0

    def add(self, sentence: str) -> int:
        """Append a sentence (and a space); returns its start offset in code points."""
        start = self.length
        self.text.append(sentence + " ")
        self.length += len(sentence) + 1
        return start

    def span(self, start: int, exact: str) -> dict[str, Any]:
        return {"article": self.id, "start": start, "end": start + len(exact), "exact": exact}


def _date(rng: random.Random) -> dict[str, Any]:
    return {
        "value": f"{rng.randint(2000, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "precision": "day",
    }


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def entities(sizes: Sizes, rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    countries = [
        {"id": f"country-{i}", "name": f"Country {rng.choice(NAMES).title()} {i}"}
        for i in range(sizes.countries)
    ]
    organisations = [
        {
            "id": f"org-{i}",
            "name": f"Organisation of {_words(rng, 2).title()} {i}",
            "kind": rng.choice(ORG_KINDS),
        }
        for i in range(sizes.organisations)
    ]
    people = [
        {
            "id": f"person-{i}",
            "name": f"{rng.choice(NAMES).title()} {rng.choice(NAMES).title()}son {i}",
            "country": f"country-{rng.randrange(sizes.countries)}",
        }
        for i in range(sizes.people)
    ]
    return {"countries": countries, "organisations": organisations, "people": people}


def facts_of(article: Article, count: int, sizes: Sizes, rng: random.Random) -> Iterator[Any]:
    """``count`` facts of one article as (list name, fixture record), writing their sentences."""
    kinds = [name for name, weight in MIX for _ in range(weight)]
    for n in range(count):
        kind = kinds[n % len(kinds)]
        fid = f"{article.id}-{n}"
        if kind == "quotes":
            person = f"person-{rng.randrange(sizes.people)}"
            words = _words(rng, rng.randint(6, 14)).capitalize() + "."
            start = article.add(f"{person.replace('-', ' ').title()} said: '{words}'")
            quote_start = start + len(person) + len(" said: '")
            yield (
                "quotes",
                {
                    "id": f"q-{fid}",
                    "text": words,
                    "speaker": person,
                    "date": _date(rng),
                    "evidence": [article.span(quote_start, words)],
                },
            )
        elif kind == "statistics":
            value = rng.randint(1, 1_000_000)
            unit = rng.choice(UNITS)
            qualifier = rng.choice(QUALIFIERS)
            sentence = f"The {_words(rng, 2)} count was {value} {unit}."
            start = article.add(sentence)
            yield (
                "statistics",
                {
                    "id": f"s-{fid}",
                    "value": value,
                    "unit": unit,
                    "qualifier": qualifier,
                    "bounds": BOUNDS[qualifier](value),
                    "measure": f"{_words(rng, 2)} count",
                    "subject": f"country-{rng.randrange(sizes.countries)}",
                    "date": _date(rng),
                    "evidence": [article.span(start, sentence)],
                },
            )
        elif kind == "meetings":
            kind_name = rng.choice(KINDS)
            name = f"{_words(rng, 2).title()} {kind_name.replace('_', ' ')} {n}"
            sentence = f"The {name} took place with delegations."
            start = article.add(sentence)
            span = article.span(start, sentence)
            participants = rng.sample(range(sizes.countries), 3)
            yield (
                "meetings",
                {
                    "id": f"m-{fid}",
                    "name": name,
                    "kind": kind_name,
                    "start": _date(rng),
                    "organiser": f"org-{rng.randrange(sizes.organisations)}",
                    "participants": [
                        {
                            "participant": f"country-{c}",
                            "role": rng.choice(ROLES),
                            "evidence": [span],
                        }
                        for c in participants
                    ],
                    "evidence": [span],
                },
            )
        else:
            org = f"org-{rng.randrange(sizes.organisations)}"
            country = f"country-{rng.randrange(sizes.countries)}"
            sentence = f"{country.replace('-', ' ').title()} is a member of {org}."
            start = article.add(sentence)
            yield (
                "members",
                {
                    "id": f"mb-{fid}",
                    "organisation": org,
                    "member": country,
                    "evidence": [article.span(start, sentence)],
                },
            )


def generate(out: Path, articles: int, facts: int, seed: int = 1) -> Sizes:
    """Write ``out/seeds/*.txt`` and ``out/fixtures/*.json`` (replacing what was there)."""
    sizes = Sizes.for_facts(articles, facts)
    rng = random.Random(seed)
    seeds, fixtures = out / "seeds", out / "fixtures"
    for folder in (seeds, fixtures):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
    encoder = msgspec.json.Encoder()
    (fixtures / "entities.json").write_bytes(encoder.encode(entities(sizes, rng)))
    batch: dict[str, list[Any]] = {}
    for index in range(articles):
        article = Article(f"article-{index}")
        title = f"Report {index} on {_words(rng, 3)}"
        title_start = article.add(title + ".")
        count = facts // articles + (1 if index < facts % articles else 0)
        for name, record in facts_of(article, count, sizes, rng):
            batch.setdefault(name, []).append(record)
        source = f"article_{index:06d}.txt"
        (seeds / source).write_text("".join(article.text), encoding="utf-8")
        batch.setdefault("articles", []).append(
            {
                "id": article.id,
                "title": title,
                "source": source,
                "date": _date(rng),
                "evidence": [article.span(title_start, title)],
            }
        )
        if (index + 1) % PER_FILE == 0 or index + 1 == articles:
            (fixtures / f"batch_{index // PER_FILE:05d}.json").write_bytes(encoder.encode(batch))
            batch = {}
    return sizes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("build/scale"))
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--facts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    sizes = generate(args.out, args.articles, args.facts, args.seed)
    print(f"wrote {sizes} to {args.out}")


if __name__ == "__main__":
    main()
