"""Snippets of search hits: a record's words around its matches, each match wrapped in [ and ].

FTS5's own ``snippet()`` tokenizes a record's whole text, twice, to choose its window: about
0.1 ms for an article of the scale corpus, so 50 ms for a page of 500 (bench/search_budget.py).
A Snippet looks only where the words of the query are (a regular expression a word, matching
a word as FTS5's ``unicode61 remove_diacritics 2`` tokenizer does: case and Latin diacritics
folded, the last word a prefix) and tokenizes only the few dozen characters of a window.

Its output is FTS5's ``snippet(search, 4, '[', ']', '…', 16)`` for a text of at most 16 words
(the whole text, matches wrapped) — every record but an article. For a longer text, the window
is FTS5's too: the 16 words from the match whose next 16 words hold the most distinct query
words (then the most matches), centred on the matches it holds and kept within the text, with
``…`` where the text is cut. Unlike FTS5 it never prefers a window for starting a sentence,
weighs the first WEIGHED matches only, and for a query of several words only those near the
word of the query rarest in the text (so that the window shows it): a common word is not
looked for across the whole of every article of a page. A window is measured (its 16 words
found) only when its matches could make it the best so far. Together, for an article of the
scale corpus (6 KB): about 12 µs for a query of one word and 30 µs for two, where it was 18
and 55 (the best of five runs over the 500 hits of ``q=111&type=article`` and
``q=security+111``).
"""

import bisect
import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence

#: A word, as the tokenizer sees it: a run of letters and digits.
TOKEN = re.compile(r"[^\W_]+")
#: Words in a snippet (FTS5's ``snippet()`` argument).
WINDOW = 16
#: Up to WINDOW words from where it is matched (at a word).
WORDS = re.compile(rf"[^\W_]++(?:[\W_]++[^\W_]++){{0,{WINDOW - 1}}}")
#: Matches of one text weighed when choosing its window: the first ones (an article may repeat
#: a word of the query a hundred times; the best window is rarely past the first few dozen).
WEIGHED = 32
#: The last ``n`` words of a reversed stretch of text, by ``n`` (whole words: possessive).
BACKWARDS = [re.compile(rf"(?:[\W_]*+[^\W_]++){{{n}}}") for n in range(WINDOW + 1)]
#: Characters scanned back for the words before a match: generous for 16 words of any language.
REACH = 48 * WINDOW
#: A match this many characters from the next one may share a window with it (16 words are
#: rarely longer); farther, it is not counted.
NEAR = 24 * WINDOW

#: Texts this long or shorter are checked for having at most WINDOW words; a longer one rarely
#: has so few (and its window is then the whole of it anyway).
SHORT = 24 * WINDOW
#: Characters of a text in which the words of a query are counted to find its rarest.
SAMPLED = 2048
#: Where a word ends.
BOUNDARY = re.compile(r"[\W_]")

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
        self._folded = [fold(word) for word in words]
        self._words = [
            re.compile(re.escape(fold(word)) + (r"[^\W_]*" if index == last else r"(?![^\W_])"))
            for index, word in enumerate(words)
        ]

    def __call__(self, text: str) -> str:
        folded = fold(text)
        if len(text) <= SHORT:
            first = TOKEN.search(text)
            if first is None or TOKEN.search(text, _window_end(text, first.start())) is None:
                return self._marked(text, folded, 0, len(text))  # at most WINDOW words
        # (A longer text of at most WINDOW words has a window from its start to its end.)
        start, end = self._window(text, folded)
        if TOKEN.search(text, 0, start) is None:
            head, start = "", 0
        else:
            head = "…"
        if TOKEN.search(text, end) is None:
            return head + self._marked(text, folded, start, len(text))
        return head + self._marked(text, folded, start, end) + "…"

    def _spans(self, folded: str, start: int, end: int, but: int = -1) -> list[Span]:
        """The first WEIGHED matches within ``folded[start:end]``, in order (those of every
        word of the query but the ``but``-th); a word that two words of the query match is
        one match."""
        found = [
            span
            for index, word in enumerate(self._words)
            if index != but
            for span in itertools.islice(_matches(word, index, folded, start, end), WEIGHED)
        ]
        if len(self._words) == 1:
            return found
        return _first(found)

    def _weighed(self, folded: str) -> list[Span]:
        """The matches a long text's window is chosen among: of a query of several words, only
        those near the first WEIGHED matches of the word rarest in this text (in its first
        SAMPLED characters: the window shows it; looking nowhere else spares scanning the
        whole text for every common word)."""
        if len(self._words) == 1:
            return self._spans(folded, 0, len(folded))
        counts = [folded.count(word, 0, SAMPLED) for word in self._folded]
        rarest = counts.index(min(counts))
        matches = _matches(self._words[rarest], rarest, folded, 0, len(folded))
        found = [*itertools.islice(matches, WEIGHED)]
        if not found:  # only where its letters are inside other words: look everywhere
            return self._spans(folded, 0, len(folded))
        low, high = 0, -1  # each stretch of text around matches of the rarest word
        for at, _, _ in [*found, (len(folded) + 2 * NEAR, 0, 0)]:
            if at - NEAR > high:
                if high >= 0:
                    found += self._spans(folded, low, high, rarest)
                low = max(0, at - NEAR)
            high = _word_end(folded, at + NEAR)
        return _first(found)

    def _window(self, text: str, folded: str) -> tuple[int, int]:
        """Where the window of a long text starts and ends (characters)."""
        spans = self._weighed(folded)
        if not spans:
            word = TOKEN.search(text)
            if word is None:
                return 0, len(text)
            return word.start(), _window_end(text, word.start())
        starts = [start for start, _, _ in spans]
        kinds = [word for _, _, word in spans] if len(self._words) > 1 else None
        best, best_score, best_count = 0, 0, 0
        for index, start in enumerate(starts):
            following = min(index + WINDOW, len(starts))  # a window holds at most 16 words
            # The matches a window from this one can hold are at most those of the next
            # NEAR characters: a window scoring no better than the best so far is not cut.
            near = bisect.bisect_left(starts, start + NEAR, index + 1, following)
            if _score(kinds, index, near) <= best_score:
                continue
            held = near - index
            if held > 1:
                end = _window_end(text, start)
                held = bisect.bisect_left(starts, end, index + 1, following) - index
            score = _score(kinds, index, index + held)
            if score > best_score:
                best, best_score, best_count = index, score, held
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


def _matches(
    word: re.Pattern[str], index: int, folded: str, start: int, end: int
) -> Iterator[Span]:
    """The spans of ``word`` within ``folded[start:end]`` that begin a word, in order (a
    look-behind in the pattern would cost the regular expression its fast literal search)."""
    return (
        (match.start(), match.end(), index)
        for match in word.finditer(folded, start, end)
        if match.start() == 0 or not folded[match.start() - 1].isalnum()
    )


def _first(found: list[Span]) -> list[Span]:
    """The first WEIGHED of ``found``, in order, one a start (a word two words of the query
    match is one match)."""
    found.sort()
    starts = [-1, *(span[0] for span in found)]
    spans = [span for before, span in zip(starts, found, strict=False) if span[0] > before]
    return spans[:WEIGHED]


def _word_end(text: str, at: int) -> int:
    """``at``, or the end of the word it is inside of (so that a stretch cuts no word)."""
    found = BOUNDARY.search(text, at)
    return len(text) if found is None else found.start()


def _score(kinds: list[int] | None, low: int, high: int) -> int:
    """FTS5's score of a window holding the matches ``low`` to ``high`` (exclusive): a
    thousand a distinct word of the query, one a repeat; ``kinds`` is None for a one-word
    query."""
    distinct = 1 if kinds is None else len(set(kinds[low:high]))
    return 1000 * distinct + high - low - distinct


def _window_end(text: str, start: int) -> int:
    """Where the WINDOW words from ``start`` (a word's first character) end."""
    return WORDS.match(text, start).end()  # type: ignore[union-attr]


def _back(text: str, position: int, count: int) -> int:
    """Where the word ``count`` words before ``position`` starts, or the text's first word."""
    if count <= 0:
        return position
    for reach in (12 * count, REACH):
        low = max(0, position - reach)
        found = BACKWARDS[count].match(text[low:position][::-1])
        if found is not None and (found.end() < position - low or low == 0):
            return position - found.end()  # (a word cut at ``low`` is not whole: look farther)
        if low == 0:
            break
    return 0
