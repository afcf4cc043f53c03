"""Folding (api/model/folding.py) against FTS5's own tokenizer: the words of a folded text are
the index's terms of that text, for the scripts news is written in, and a built database keeps
the corrections this machine's SQLite makes."""

import sqlite3

import pytest

from api.model import folding
from api.settings import Settings
from api.web.snippet import TOKEN

TEXTS = [
    "Москва ЁЖ Йошкар-Ола ёлка",  # FTS5 keeps й and ё (they are letters, not marks)
    "İstanbul İZMİR ışık",  # noqa: RUF001 (İ: str.lower makes two characters of it)
    "São Paulo, café, ÀÉÎÕÜ, Straße, Ærøskøbing, Łódź, Đà Nẵng",
    "Ἀθῆναι ΕΛΛΆΔΑ Ωμέγα",
    "The “quoted” words — and ’em… ＡＢＣ",  # noqa: RUF001
]


def fts5_terms(text: str) -> list[str]:
    connection = sqlite3.connect(":memory:")
    try:
        tokenizer = folding.TOKENIZER
        connection.execute(f"create virtual table t using fts5(w, tokenize = '{tokenizer}')")
        connection.execute("insert into t values (?)", (text,))
        connection.execute("create virtual table v using fts5vocab(t, instance)")
        return [row[0] for row in connection.execute("select term from v order by offset")]
    finally:
        connection.close()


@pytest.mark.parametrize("text", TEXTS)
def test_the_words_of_a_folded_text_are_the_index_terms(text: str) -> None:
    folded = folding.default()(text)
    assert len(folded) == len(text)  # offsets into it are offsets into the text
    assert TOKEN.findall(folded) == fts5_terms(text)


def test_the_build_keeps_this_sqlites_corrections(settings: Settings) -> None:
    connection = sqlite3.connect(f"file:{settings.database}?mode=ro", uri=True)
    kept = dict(connection.execute("select code, folded from search_folds"))
    connection.close()
    assert kept == folding.corrections()
    assert kept[ord("é")] == "e"
    assert ord("й") not in kept  # str.lower already folds it as FTS5 does
