"""``python -m api anchor``: put every evidence span on its words.

A curator writes the words a fact rests on (``exact``); code points are for code to count. For each
evidence object of the fixtures this finds where its words stand in the article:

* offsets that already match are left alone;
* missing offsets (absent or null) are filled when the words occur exactly once;
* stale offsets (the text was edited, the offsets shifted) move to the occurrence nearest to them;
* words that occur several times with no offsets to choose by, or not at all, are refused, with
  every occurrence listed so the curator can pick one.

A fixture is rewritten in place by replacing or inserting only the offsets, so its formatting and
key order stay as the curator left them; running it twice changes nothing the second time. The
files are found by a small parser that remembers where each JSON value stands in the source
(the standard library's decoder does not), and are written atomically.
"""

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from api.model.errors import BuildError, Fault

_SPACE = re.compile(r"[ \t\n\r]*")
_SCALAR = json.JSONDecoder()
#: Characters of context shown either side of an occurrence.
CONTEXT = 30


@dataclass
class Node:
    """A JSON value, where it stands in the source, and for objects where each member does."""

    value: Any
    start: int
    end: int
    members: dict[str, "Node"] = field(default_factory=dict)
    items: list["Node"] = field(default_factory=list)
    #: For objects, what stands between two members (", " or ",\n    "), so that an inserted
    #: member is laid out like its neighbours.
    separator: str = ", "


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source

    def skip(self, at: int) -> int:
        match = _SPACE.match(self.source, at)
        return match.end() if match else at

    def value(self, at: int) -> Node:
        at = self.skip(at)
        char = self.source[at : at + 1]
        if char == "{":
            return self._object(at)
        if char == "[":
            return self._array(at)
        scalar, end = _SCALAR.raw_decode(self.source, at)
        return Node(scalar, at, end)

    def _object(self, start: int) -> Node:
        node = Node(None, start, start)
        at = self.skip(start + 1)
        while self.source[at] != "}":
            key = self.value(at)
            at = self.skip(key.end)
            member = self.value(at + 1)  # past the colon
            node.members[key.value] = member
            at = self.skip(member.end)
            if self.source[at] == ",":
                following = self.skip(at + 1)
                if len(node.members) == 1:
                    node.separator = self.source[member.end : following]
                at = following
        node.end = at + 1
        return node

    def _array(self, start: int) -> Node:
        node = Node(None, start, start)
        at = self.skip(start + 1)
        while self.source[at] != "]":
            item = self.value(at)
            node.items.append(item)
            at = self.skip(item.end)
            if self.source[at] == ",":
                at = self.skip(at + 1)
        node.end = at + 1
        return node


def parse(source: str, name: str = "<json>") -> Node:
    try:
        return _Parser(source).value(0)
    except (ValueError, IndexError) as error:
        raise BuildError(Fault(name, "$", f"not valid JSON: {error}")) from None


def evidence(node: Node, pointer: str = "") -> Iterator[tuple[str, Node]]:
    """Every evidence object (one with ``article`` and ``exact``) with its JSON pointer."""
    if {"article", "exact"} <= node.members.keys():
        yield pointer, node
    for key, member in node.members.items():
        yield from evidence(member, f"{pointer}/{key}")
    for index, item in enumerate(node.items):
        yield from evidence(item, f"{pointer}/{index}")


def occurrences(text: str, words: str) -> list[int]:
    found: list[int] = []
    at = text.find(words)
    while at >= 0 and words:
        found.append(at)
        at = text.find(words, at + 1)
    return found


def nearest(found: list[int], near: int) -> int:
    """The occurrence closest to ``near`` (the first of two as close)."""
    return min(found, key=lambda at: abs(at - near))


def context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - CONTEXT) : start]
    after = text[end : end + CONTEXT]
    return f"…{before}[{text[start:end]}]{after}…".replace("\n", " ")


@dataclass(frozen=True)
class Outcome:
    """What anchoring one span did: a line to print, an edit to make, or a refusal."""

    line: str
    edits: tuple[tuple[int, int, str], ...] = ()
    refused: bool = False


def _offset(span: Node, key: str) -> int | None:
    member = span.members.get(key)
    value = None if member is None else member.value
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def anchor_span(span: Node, text: str, where: str) -> Outcome | None:
    """The outcome for one evidence object; None when its offsets already match."""
    words = span.members["exact"].value
    start, end = _offset(span, "start"), _offset(span, "end")
    inside = start is not None and end is not None and 0 <= start < end <= len(text)
    if inside and text[start:end] == words:
        return None
    found = occurrences(text, words) if isinstance(words, str) else []
    shown = f"{words!r}"[:60]
    if not found:
        return Outcome(f"{where}: refused: {shown} is not in the article", refused=True)
    # An offset that is there, even a stale one, says which occurrence is meant.
    near = start if start is not None else None if end is None else end - len(words)
    if near is None and len(found) > 1:
        listed = "\n".join(f"    {at}: {context(text, at, at + len(words))}" for at in found)
        line = f"{where}: refused: {shown} occurs {len(found)} times; give the offsets of one:"
        return Outcome(f"{line}\n{listed}", refused=True)
    new = found[0] if near is None else nearest(found, near)
    old = f"{'?' if start is None else start}-{'?' if end is None else end}"
    line = f"{where}: {old} -> {new}-{new + len(words)} {shown}"
    return Outcome(line, _edits(span, new, new + len(words)))


def _edits(span: Node, start: int, end: int) -> tuple[tuple[int, int, str], ...]:
    """Replace the offsets where they are; otherwise insert them after ``article``."""
    edits: list[tuple[int, int, str]] = []
    missing: list[str] = []
    for key, value in (("start", start), ("end", end)):
        member = span.members.get(key)
        if member is None:
            missing.append(f'"{key}": {value}')
        else:
            edits.append((member.start, member.end, str(value)))
    if missing:
        after = span.members["article"].end
        inserted = "".join(f"{span.separator}{member}" for member in missing)
        edits.append((after, after, inserted))
    return tuple(edits)


def texts_by_article(seeds: Path, fixtures: Path) -> dict[str, str]:
    """Each article's text by id, from the ``articles`` of every fixture file."""
    texts: dict[str, str] = {}
    for path in sorted(fixtures.rglob("*.json")):
        try:
            decoded = msgspec.json.decode(path.read_bytes())
        except msgspec.DecodeError as error:
            raise BuildError(Fault(path.name, "$", f"not valid JSON: {error}")) from None
        for article in decoded.get("articles", []):
            texts[article["id"]] = (seeds / article["source"]).read_text(encoding="utf-8")
    return texts


def anchor_file(path: Path, texts: dict[str, str], name: str) -> list[Outcome]:
    """Anchor every span of one fixture file, rewriting it when anything moved."""
    with path.open(encoding="utf-8", newline="") as file:  # line endings stay as they are
        source = file.read()
    outcomes: list[Outcome] = []
    for pointer, span in evidence(parse(source, name)):
        article = span.members["article"].value
        where = f"{name} {pointer}"
        if article not in texts:
            outcomes.append(Outcome(f"{where}: refused: no article {article!r}", refused=True))
            continue
        outcome = anchor_span(span, texts[article], where)
        if outcome is not None:
            outcomes.append(outcome)
    edits = sorted((edit for outcome in outcomes for edit in outcome.edits), reverse=True)
    for start, end, replacement in edits:
        source = source[:start] + replacement + source[end:]
    if edits:
        temporary = path.with_name(f".{path.name}.anchor")
        with temporary.open("w", encoding="utf-8", newline="") as file:
            file.write(source)
        os.replace(temporary, path)
    return outcomes


def main(seeds: Path, fixtures: Path, files: list[Path]) -> int:
    """Anchor ``files`` (every fixture when empty); 1 when any span was refused."""
    try:
        texts = texts_by_article(seeds, fixtures)
        outcomes: list[Outcome] = []
        for path in files or sorted(fixtures.rglob("*.json")):
            outcomes += anchor_file(path, texts, path.name)
    except BuildError as error:
        print(f"anchor: refused: {error}")
        return 1
    for outcome in outcomes:
        print(outcome.line)
    moved = sum(1 for outcome in outcomes if outcome.edits)
    refused = sum(1 for outcome in outcomes if outcome.refused)
    print(f"anchor: {moved} spans moved, {refused} refused")
    return 1 if refused else 0
