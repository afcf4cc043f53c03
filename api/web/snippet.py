"""Snippets of search hits: a record's words around its matches, each match wrapped in [ and ].

FTS5's own ``snippet()`` tokenizes a record's whole text, twice, to choose its window: about
0.1 ms for an article of the scale corpus, so 50 ms for a page of 500 (bench/search_budget.py).
A Snippet looks only where the words of the query are (a regular expression: the rarest word
alone across a text, a literal search; all of them at once within a window; each matching a
word as FTS5's tokenizer does: case and diacritics folded as it folds them, api/model/folding.py;
the last word a prefix) and tokenizes only the few dozen characters of a window.

Its output is FTS5's ``snippet(search, 4, '[', ']', '…', 16)`` for a text of at most 16 words
(the whole text, matches wrapped) — every record but an article. A longer text gets 16 words
centred on one match, with ``…`` where the text is cut: a match of the query's rarest word
(held by the fewest records, api/web/store.py: the snippet shows what made the hit rare), the
first of its first CANDIDATES matches whose 16 words hold the most distinct words of the
query — for one word, its first match. FTS5 instead scores every window of the text (most
distinct words, then most matches, then a sentence's start); its choice costs a scan of every
word, this one a literal search and at most CANDIDATES windows. For an article of the scale
corpus (6 KB): about 9 µs for a query of one word and 16 µs for two, where FTS5's rule took 13
and 30 (the best of seven runs over the article hits of ``q=111`` and ``q=security+111``,
limit 500). An ASCII text, most of them, is cut with patterns of ASCII characters, which the
regular-expression engine matches faster than Unicode's categories.
"""

import itertools
import re
from collections.abc import Iterator, Sequence

from api.model import folding

#: Words in a snippet (FTS5's ``snippet()`` argument).
WINDOW = 16
#: Matches of one text a window may be centred on: the first ones (an article may repeat a word
#: of the query a hundred times; a window holding every word is rarely past the first few), so
#: that a long text costs at most this many windows.
CANDIDATES = 8
#: Characters scanned back for the words before a match: generous for 16 words of any language.
REACH = 48 * WINDOW

#: Texts this long or shorter are checked for having at most WINDOW words; a longer one rarely
#: has so few (and its window is then the whole of it anyway).
SHORT = 24 * WINDOW

Span = tuple[int, int, int]  # start, end (characters) and which word of the query


class Letters:
    """Words as the tokenizer sees them (runs of letters and digits), in the patterns a
    snippet is cut with: ``word`` a letter or digit, ``other`` any other character."""

    def __init__(self, word: str, other: str) -> None:
        self.token = re.compile(f"{word}+")
        #: Up to WINDOW words from where it is matched (at a word).
        self._words = re.compile(rf"{word}++(?:{other}++{word}++){{0,{WINDOW - 1}}}")
        #: The last ``n`` words of a reversed stretch of text, by ``n`` (whole words).
        self._backwards = [re.compile(rf"(?:{other}*+{word}++){{{n}}}") for n in range(WINDOW + 1)]

    def window_end(self, text: str, start: int) -> int:
        """Where the WINDOW words from ``start`` (a word's first character) end."""
        return self._words.match(text, start).end()  # type: ignore[union-attr]

    def back(self, text: str, position: int, count: int) -> int:
        """Where the word ``count`` words before ``position`` starts, or the text's first
        word."""
        if count <= 0:
            return position
        for reach in (12 * count, REACH):
            low = max(0, position - reach)
            found = self._backwards[count].match(text[low:position][::-1])
            if found is not None and (found.end() < position - low or low == 0):
                return position - found.end()  # (a word cut at ``low`` is not whole: look on)
            if low == 0:
                break
        first = self.token.search(text)  # fewer than ``count`` words before ``position``
        return 0 if first is None else first.start()


#: Any text; and a text of ASCII only, where the same words are matched about twice as fast by
#: a set of characters than by Unicode's categories.
UNICODE = Letters(r"[^\W_]", r"[\W_]")
ASCII = Letters("[A-Za-z0-9]", "[^A-Za-z0-9]")
#: A word, as the tokenizer sees it.
TOKEN = UNICODE.token


class Snippet:
    """The snippets of one query's hits; ``words`` as the query matches them, the last one a
    prefix (api/web/query.py's ``fts_match``), ``rarest`` the index of the one held by the
    fewest records (a long text's window is centred on it)."""

    def __init__(
        self, words: Sequence[str], rarest: int = 0, fold: folding.Folding | None = None
    ) -> None:
        self._rarest = rarest
        self._fold = folding.default() if fold is None else fold
        last = len(words) - 1
        patterns = [
            re.escape(self._fold(word)) + (r"[^\W_]*" if index == last else r"(?![^\W_])")
            for index, word in enumerate(words)
        ]
        #: The rarest word alone (looked for in a whole text: a literal search), and any word
        #: of the query, a group each (looked for in a window: one scan for all of them).
        self._alone = re.compile(patterns[rarest])
        self._any = re.compile(r"(?<![^\W_])(?:" + "|".join(f"({p})" for p in patterns) + ")")
        self._count = len(set(patterns))  # (a word given twice is one word)

    def __call__(self, text: str) -> str:
        folded = self._fold(text)
        letters = ASCII if text.isascii() else UNICODE
        token = letters.token
        if len(text) <= SHORT:
            first = token.search(text)
            if first is None or token.search(text, letters.window_end(text, first.start())) is None:
                return self._marked(text, folded, 0, len(text))  # at most WINDOW words
        # (A longer text of at most WINDOW words has a window from its start to its end.)
        start, end = self._window(text, folded, letters)
        if token.search(text, 0, start) is None:
            head, start = "", 0
        else:
            head = "…"
        if token.search(text, end) is None:
            return head + self._marked(text, folded, start, len(text))
        return head + self._marked(text, folded, start, end) + "…"

    def _candidates(self, folded: str) -> Iterator[Span]:
        """The matches a long text's window may be centred on: the first CANDIDATES of the
        query's rarest word, or, when it begins no word of this text (it is inside others), of
        any word of the query."""
        found = False
        alone = _matches(self._alone, folded, 0, len(folded), self._rarest)
        for span in itertools.islice(alone, CANDIDATES):
            found = True
            yield span
        if not found:
            yield from itertools.islice(_matches(self._any, folded, 0, len(folded)), CANDIDATES)

    def _window(self, text: str, folded: str, letters: Letters) -> tuple[int, int]:
        """Where the window of a long text starts and ends (characters): WINDOW words centred
        on a candidate match, the first whose window holds the most distinct words of the
        query; kept within the text."""
        best, best_held = None, 0
        for at, _, which in self._candidates(folded):
            start = letters.back(text, at, (WINDOW - 1) // 2)
            end = letters.window_end(text, start)
            held = len({which, *(index for _, _, index in _matches(self._any, folded, start, end))})
            if held > best_held:
                best, best_held = (start, end), held
                if held == self._count:
                    break
        if best is None:  # no word of the query begins a word of the text
            first = letters.token.search(text)
            if first is None:
                return 0, len(text)
            best = first.start(), letters.window_end(text, first.start())
        start, end = best
        if letters.token.search(text, end) is None:  # the text ends first: FTS5 keeps 16 words
            held_words = len(letters.token.findall(text, start, end))
            start = letters.back(text, start, WINDOW - held_words)
        return start, end

    def _marked(self, text: str, folded: str, start: int, end: int) -> str:
        """``text[start:end]`` with the matches inside it wrapped in [ and ]."""
        parts, at = [], start
        for low, high, _ in _matches(self._any, folded, start, end):
            parts += [text[at:low], "[", text[low:high], "]"]
            at = high
        parts.append(text[at:end])
        return "".join(parts)


def _matches(
    pattern: re.Pattern[str], folded: str, start: int, end: int, index: int | None = None
) -> Iterator[Span]:
    """The spans ``pattern`` matches within ``folded[start:end]`` that begin a word, in order,
    with ``index`` or else the index of the group matched. (A look-behind in a pattern looked
    for across a whole text would cost it its fast literal search, so the test is here; the
    pattern of a window's words has one, which spares trying them inside words.)"""
    return (
        (match.start(), match.end(), (match.lastindex or 1) - 1 if index is None else index)
        for match in pattern.finditer(folded, start, end)
        if match.start() == 0 or not folded[match.start() - 1].isalnum()
    )
