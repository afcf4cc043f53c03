"""Snippets of search hits: a record's words around its matches, each match wrapped in [ and ].

FTS5's own ``snippet()`` tokenizes a record's whole text, twice, to choose its window: about
0.1 ms for an article of the scale corpus, so 50 ms for a page of 500 (bench/search_budget.py).
A Snippet looks only where the words of the query are (one regular expression over the text,
matching a word as FTS5's ``unicode61 remove_diacritics 2`` tokenizer does: case and Latin
diacritics folded, the last word a prefix) and tokenizes the few dozen characters around them.

Its output is FTS5's ``snippet(search, 4, '[', ']', '…', 16)`` for a text of at most 16 words
(the whole text, matches wrapped) — every record but an article. For a longer text, the window
is FTS5's too: the 16 words from the match whose next 16 words hold the most distinct query
words (then the most matches), centred on the matches it holds and kept within the text, with
``…`` where the text is cut. Unlike FTS5 it never prefers a window for starting a sentence.
"""

import re
import unicodedata
from collections.abc import Sequence

#: A word, as the tokenizer sees it: a run of letters and digits.
TOKEN = re.compile(r"[^\W_]+")
#: Words in a snippet (FTS5's ``snippet()`` argument).
WINDOW = 16
#: Up to WINDOW words from where it is matched (at a word).
WORDS = re.compile(rf"[^\W_]+(?:[\W_]+[^\W_]+){{0,{WINDOW - 1}}}")
#: Matches of one text weighed when choosing its window: the first ones (an article may repeat
#: a word of the query a hundred times; the best window is rarely past the first few dozen).
WEIGHED = 32
#: Characters scanned back for the words before a match: generous for 16 words of any language.
REACH = 48 * WINDOW
#: A match this many characters from the next one may share a window with it (16 words are
#: rarely longer); farther, it is not counted.
NEAR = 24 * WINDOW

Span = tuple[int, int, int]  # start, end (characters) and which word of the query


def fold(text: str) -> str:
    """``text`` as the tokenizer compares it, character for character: lower case, and Latin
    letters without their diacritics (so offsets into it are offsets into ``text``)."""
    lowered = text.lower()
    if lowered.isascii() and len(lowered) == len(text):
        return lowered
    folded = "".join(_base(char) for char in text)
    return folded if len(folded) == len(text) else text


def _base(char: str) -> str:
    lowered = char.lower()
    if len(lowered) != 1:
        return char
    decomposed = unicodedata.normalize("NFD", lowered)
    return decomposed[0] if all(unicodedata.combining(mark) for mark in decomposed[1:]) else lowered


class Snippet:
    """The snippets of one query's hits; ``words`` as the query matches them, the last one a
    prefix (api/web/query.py's ``fts_match``)."""

    def __init__(self, words: Sequence[str]) -> None:
        last = len(words) - 1
        self._words = [
            re.compile(re.escape(fold(word)) + (r"[^\W_]*" if index == last else r"(?![^\W_])"))
            for index, word in enumerate(words)
        ]

    def __call__(self, text: str) -> str:
        folded = fold(text)
        first = TOKEN.search(text)
        if first is None or TOKEN.search(text, _window_end(text, first.start())) is None:
            return self._marked(text, folded, 0, len(text))  # at most WINDOW words
        start, end = self._window(text, folded)
        if TOKEN.search(text, 0, start) is None:
            head, start = "", 0
        else:
            head = "…"
        if TOKEN.search(text, end) is None:
            return head + self._marked(text, folded, start, len(text))
        return head + self._marked(text, folded, start, end) + "…"

    def _spans(self, folded: str, start: int, end: int) -> list[Span]:
        """The first WEIGHED matches within ``folded[start:end]``, in order; a word that two
        words of the query match is one match."""
        found = sorted(
            (match.start(), match.end(), index)
            for index, word in enumerate(self._words)
            for match in word.finditer(folded, start, end)
            if match.start() == 0 or not folded[match.start() - 1].isalnum()
        )
        starts = [-1, *(span[0] for span in found)]
        spans = [span for before, span in zip(starts, found, strict=False) if span[0] > before]
        return spans[:WEIGHED]

    def _window(self, text: str, folded: str) -> tuple[int, int]:
        """Where the window of a long text starts and ends (characters)."""
        spans = self._spans(folded, 0, len(folded))
        if not spans:
            start = TOKEN.search(text).start()  # type: ignore[union-attr]
            return start, _window_end(text, start)
        best, best_score, best_count = 0, 0, 0
        for index, (start, _, _) in enumerate(spans):
            after = spans[index + 1 : index + WINDOW]
            if after and after[0][0] - start < NEAR:
                end = _window_end(text, start)
                held = [spans[index], *(span for span in after if span[0] < end)]
            else:  # no other match within 16 words: the window holds this one alone
                held = [spans[index]]
            distinct = len({word for _, _, word in held})
            score = 1000 * distinct + len(held) - distinct  # FTS5's weights
            if score > best_score:
                best, best_score, best_count = index, score, len(held)
        first, last = spans[best][0], spans[best + best_count - 1][1]
        held_words = 1 if best_count == 1 else len(TOKEN.findall(text, first, last))
        start = _back(text, first, (WINDOW - held_words) // 2)
        end = _window_end(text, start)
        if TOKEN.search(text, end) is None:  # the text ends first: FTS5 keeps 16 words
            start = _back(text, start, WINDOW - len(TOKEN.findall(text, start, end)))
        return start, end

    def _marked(self, text: str, folded: str, start: int, end: int) -> str:
        """``text[start:end]`` with the matches inside it wrapped in [ and ]."""
        parts, at = [], start
        for low, high, _ in self._spans(folded, start, end):
            parts += [text[at:low], "[", text[low:high], "]"]
            at = high
        parts.append(text[at:end])
        return "".join(parts)


def _window_end(text: str, start: int) -> int:
    """Where the WINDOW words from ``start`` (a word's first character) end."""
    return WORDS.match(text, start).end()  # type: ignore[union-attr]


def _back(text: str, position: int, count: int) -> int:
    """Where the word ``count`` words before ``position`` starts, or the text's first word."""
    if count <= 0:
        return position
    for reach in (12 * count, REACH):
        low = max(0, position - reach)
        words = [match.start() for match in TOKEN.finditer(text, low, position)]
        if len(words) > count or (low == 0 and len(words) == count):
            return words[-count]  # (a word cut at ``low`` is not counted: one more is needed)
        if low == 0:
            break
    return 0
