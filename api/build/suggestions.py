"""What to do about a fault: where a span's words stand, the nearest known ids, names or values.

Suggestions are looked up only for faults, so they may read the whole article: a span's words
are found as ``anchor`` finds them (the occurrence nearest the old offsets) or, when they are
not there (a typo, a plain apostrophe for a typographic one), as the article's closest run of
words (2-7 ms on the seed).
"""

import difflib
import re
from collections.abc import Iterable
from functools import cache

import msgspec.inspect

from api.build.anchor import nearest, occurrences
from api.model.errors import steps
from api.model.records import Dataset

_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]*)`")
_BAD_VALUE = re.compile(r"Invalid enum value '([^']*)'")
_WORD = re.compile(r"\S+")
_NOT_WORD = re.compile(r"\W")
#: Marks that may stand around a run of words: quotation marks (plain and typographic), brackets,
#: punctuation and the ellipsis.
_MARKS = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb()[],.;:!?\u2026"
DRAFT = "a draft marker: review the candidate, then delete the marker"


def closest(word: str, choices: Iterable[str]) -> str:
    """``did you mean …?`` with the nearest of ``choices`` (difflib), or '' when none is near."""
    near = difflib.get_close_matches(word, sorted(set(choices)), n=3)
    return f"did you mean {' or '.join(repr(choice) for choice in near)}?" if near else ""


def placement(text: str, words: str, start: int) -> str:
    """Where a span's words stand in the article (the occurrence nearest ``start``), else the
    closest words it has."""
    found = occurrences(text, words)
    if found:
        at = nearest(found, start)
        where = f"[{at}:{at + len(words)}]"
        return f"its words are at {where} (nearest of {len(found)}): run python -m api anchor"
    close = closest_words(text, words)
    if close is None:
        return "its words are not in the article"
    begin, end = close
    return f"the closest words in the article are {text[begin:end]!r} at [{begin}:{end}]"


def _key(word: str) -> str:
    """A word as compared: lower case, letters and digits only (apostrophes, commas left out)."""
    return _NOT_WORD.sub("", word.casefold())


def closest_words(text: str, words: str) -> tuple[int, int] | None:
    """The run of as many of the article's words as ``words`` has that is most like them
    (difflib over words compared by :func:`_key`), as offsets; None when none is close."""
    tokens = list(_WORD.finditer(text))
    wanted = tuple(_key(word) for word in words.split())
    count = len(wanted)
    runs: dict[tuple[str, ...], int] = {}
    for first in range(len(tokens) - count, -1, -1):  # backwards: the first of equal runs wins
        runs[tuple(_key(token.group()) for token in tokens[first : first + count])] = first
    best = difflib.get_close_matches(wanted, runs, n=1, cutoff=0.6) if count else []
    if not best:
        return None
    index = runs[tuple(best[0])]
    return _edge(tokens[index], words[0], front=True), _edge(tokens[index + count - 1], words[-1])


def _edge(token: re.Match[str], char: str, *, front: bool = False) -> int:
    """Where a run of words starts (``front``) or ends at ``token``: inside the marks around it
    (“ or a closing comma) when the span's own words have none there (``char``)."""
    word = token.group()
    if not char.isalnum():
        return token.start() if front else token.end()
    if front:
        return token.start() + len(word) - len(word.lstrip(_MARKS))
    return token.end() - (len(word) - len(word.rstrip(_MARKS)))


def decoding(path: str, message: str) -> str:
    """For a value msgspec refused at ``path``: a draft marker to remove, the nearest field
    names of the object, or the values the field allows."""
    unknown, value, kind = _UNKNOWN_FIELD.search(message), _BAD_VALUE.search(message), _at(path)
    if unknown and unknown.group(1).startswith("draft"):
        return DRAFT
    if unknown and isinstance(kind, msgspec.inspect.StructType):
        return closest(unknown.group(1), (field.name for field in kind.fields))
    if value and isinstance(kind, msgspec.inspect.LiteralType):
        allowed = [str(choice) for choice in kind.values]
        return f"{closest(value.group(1), allowed)} (one of: {', '.join(allowed)})".lstrip()
    return ""


@cache
def _dataset() -> msgspec.inspect.Type:
    return msgspec.inspect.type_info(Dataset)


def _at(path: str) -> msgspec.inspect.Type | None:
    """The type a fixture file has at ``path`` (``$.quotes[0].speaker``), without Optional."""
    kind: msgspec.inspect.Type | None = _dataset()
    for step in steps(path):
        kind = _member(_bare(kind), step)
    return _bare(kind)


def _bare(kind: msgspec.inspect.Type | None) -> msgspec.inspect.Type | None:
    if isinstance(kind, msgspec.inspect.Metadata):
        return _bare(kind.type)
    if isinstance(kind, msgspec.inspect.UnionType):
        some = [k for k in kind.types if not isinstance(k, msgspec.inspect.NoneType)]
        return _bare(some[0]) if len(some) == 1 else kind
    return kind


def _member(kind: msgspec.inspect.Type | None, step: str | int) -> msgspec.inspect.Type | None:
    if isinstance(kind, msgspec.inspect.ListType) and isinstance(step, int):
        return kind.item_type
    if isinstance(kind, msgspec.inspect.StructType) and isinstance(step, str):
        return next((field.type for field in kind.fields if field.name == step), None)
    return None
