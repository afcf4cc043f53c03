"""An article's text as HTML with every evidence span marked on it.

Each distinct span (its start and end, in code points) is one ``<mark>`` carrying
``data-start``, ``data-end`` and ``data-facts`` (the facts it supports, space-separated), so the
set of (data-start, data-end) on the page is the set of spans, and a span two facts share is one
mark listing both. A span inside another is an element inside the other's.

Two spans that cross (one starts inside the other and ends after it) cannot both be a single
element of one tree of text. Spans are placed longest-first in reading order (start ascending,
end descending); a span that crosses marks already placed is cut at their boundaries into the
fewest consecutive pieces that nest, each a ``<mark>`` with the span's own data-start, data-end
and data-facts and ``data-part="k/n"``. So a mark without ``data-part`` has exactly the span's
text, and the pieces of a cut span, in document order, join to exactly its text. The text
outside marks is the article's, unchanged: the page's text content is the article.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape
from itertools import pairwise

#: A span's position: start and end (exclusive), in code points.
Offsets = tuple[int, int]


@dataclass(frozen=True)
class Piece:
    """One element of the marked text: ``span``'s characters from ``start`` to ``end``."""

    span: Offsets
    start: int
    end: int
    part: int
    parts: int


def pieces(spans: Iterable[Offsets]) -> list[Piece]:
    """Every span as one piece, or as several where it crosses spans placed before it; the
    pieces nest (any two are disjoint or one contains the other)."""
    placed: list[Piece] = []
    for start, end in sorted(set(spans), key=lambda span: (span[0], -span[1])):
        cuts = sorted(
            {p.end for p in placed if p.start < start < p.end < end}
            | {p.start for p in placed if start < p.start < end < p.end}
        )
        bounds = [start, *cuts, end]
        parts = len(bounds) - 1
        placed += [
            Piece((start, end), low, high, part, parts)
            for part, (low, high) in enumerate(pairwise(bounds), 1)
        ]
    return placed


def marked(text: str, facts: Mapping[Offsets, Iterable[str]]) -> str:
    """``text`` escaped, with a mark for every span in ``facts`` (span -> the facts' keys)."""
    # Outer before inner: by start, longer first; a piece equal to another nests inside it.
    ordered = sorted(pieces(facts), key=lambda piece: (piece.start, -piece.end))
    out: list[str] = []
    open_ends: list[int] = []
    at = 0
    for piece in ordered:
        while open_ends and open_ends[-1] <= piece.start:
            at = _close(out, text, at, open_ends.pop())
        out.append(escape(text[at : piece.start], quote=False))
        at = piece.start
        out.append(_opening(piece, facts[piece.span]))
        open_ends.append(piece.end)
    while open_ends:
        at = _close(out, text, at, open_ends.pop())
    out.append(escape(text[at:], quote=False))
    return "".join(out)


def _close(out: list[str], text: str, at: int, end: int) -> int:
    out.append(escape(text[at:end], quote=False))
    out.append("</mark>")
    return end


def mark_id(span: Offsets) -> str:
    """The id of a span's (first) mark: what a fact's link to that span points at."""
    return f"s-{span[0]}-{span[1]}"


def _opening(piece: Piece, facts: Iterable[str]) -> str:
    start, end = piece.span
    keys = escape(" ".join(sorted(facts)))
    attributes = f'data-start="{start}" data-end="{end}" data-facts="{keys}"'
    if piece.parts > 1:
        attributes += f' data-part="{piece.part}/{piece.parts}"'
    if piece.part == 1:
        attributes = f'id="{mark_id(piece.span)}" {attributes}'
    return f"<mark {attributes}>"
