"""Text as the full-text index compares it: FTS5's ``unicode61 remove_diacritics 2`` tokenizer
folds case and removes diacritics, one character to one character (so offsets into folded text
are offsets into the text).

Python's ``str.lower`` mostly agrees, and runs in C: for 8 KB of news text about 20 µs, where
folding character by character in Python takes milliseconds. Where it does not (``é`` → ``e``,
``İ`` → ``i``; and capitals newer than FTS5's tables, which it leaves) FTS5 is asked, once, for
every letter or digit (``corrections``, ~0.7 s), and the build keeps what it says in the
database (``search_folds``), which the server reads: ``Folding`` lowers a text and corrects
only those characters.
"""

import functools
import re
import sqlite3
import sys
from collections.abc import Mapping

#: The tokenizer of the full-text index (api/model/tables.py).
TOKENIZER = "unicode61 remove_diacritics 2"

_WORD = re.compile(r"[^\W_]")
#: The first code point beyond the Basic Multilingual Plane.
ASTRAL = 0x10000


def corrections() -> dict[int, str]:
    """Every letter or digit that FTS5 folds other than ``str.lower`` does, and how it folds
    it (itself, where FTS5 leaves it)."""
    chars = [
        chr(point)
        for point in range(sys.maxunicode + 1)
        if not 0xD800 <= point <= 0xDFFF and _WORD.match(chr(point))
    ]
    scratch = sqlite3.connect(":memory:")
    try:
        scratch.execute(f"create virtual table t using fts5(w, tokenize = '{TOKENIZER}')")
        scratch.executemany("insert into t (rowid, w) values (?, ?)", enumerate(chars, 1))
        scratch.execute("create virtual table v using fts5vocab(t, instance)")
        folded = dict(scratch.execute("select doc, term from v").fetchall())
    finally:
        scratch.close()
    found = {}
    for row, char in enumerate(chars, 1):
        term = folded.get(row, char)  # (a character FTS5 keeps no token of: left as it is)
        if len(term) == 1 and term != char.lower():  # (FTS5 folds one character to one)
            found[ord(char)] = term
    return found


class Folding:
    """Folding as the index does, from its ``corrections`` of ``str.lower``."""

    def __init__(self, corrected: Mapping[int, str]) -> None:
        self._corrected = {chr(point): term for point, term in corrected.items()}
        # The corrected characters of the Basic Multilingual Plane, and any beyond it: a class
        # of those is a bitmap (a class listing characters beyond it is a slow list).
        listed = "".join(re.escape(char) for char in sorted(self._corrected) if ord(char) < ASTRAL)
        self._wrong = re.compile(f"[{listed}\U00010000-\U0010ffff]")

    def __call__(self, text: str) -> str:
        """``text`` as the index compares it, character for character."""
        lowered = text.lower()
        if len(lowered) != len(text):  # a character ``lower`` makes two of (İ): one by one
            return "".join(self._corrected.get(char, char.lower()[:1]) for char in text)
        if text.isascii() or (first := self._wrong.search(text)) is None:
            return lowered
        parts, at = [], 0
        for wrong in self._wrong.finditer(text, first.start()):
            start = wrong.start()  # (beyond the plane, a character may need no correction)
            parts += [lowered[at:start], self._corrected.get(wrong.group(), lowered[start])]
            at = wrong.end()
        parts.append(lowered[at:])
        return "".join(parts)


@functools.cache
def default() -> Folding:
    """The folding of this machine's SQLite, asked of it (for callers without a database)."""
    return Folding(corrections())
