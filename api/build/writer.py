"""Writing a built corpus into a new SQLite database, in the layout of api/model/tables.py."""

import sqlite3
from pathlib import Path
from typing import Any

import msgspec

from api.model import flat
from api.model.catalog import RESOURCES, Corpus, Resource
from api.model.folding import corrections
from api.model.tables import PAGE_SIZE, columns, csv_table, schema


def write(path: Path, corpus: Corpus, texts: dict[str, str], meta: dict[str, str]) -> None:
    """Write a complete database at ``path`` (which must not exist)."""
    connection = sqlite3.connect(path)
    try:
        connection.execute(f"pragma page_size = {PAGE_SIZE}")
        with connection:
            for statement in schema():
                connection.execute(statement)
            connection.executemany("insert into meta values (?, ?)", sorted(meta.items()))
            connection.executemany("insert into article_text values (?, ?)", sorted(texts.items()))
            for resource in RESOURCES:
                _write_resource(connection, resource, corpus)
            _write_search(connection, corpus, texts)
        connection.execute("analyze")
        connection.execute("vacuum")
    finally:
        connection.close()


def _write_resource(connection: sqlite3.Connection, resource: Resource, corpus: Corpus) -> None:
    names = columns(resource)
    marks = ", ".join("?" * (len(names) + 2))
    encoder = msgspec.json.Encoder()
    rows = []
    links = []
    for record in corpus.records[resource.name]:
        values: list[Any] = [record.id, encoder.encode(record)]
        values += [sort(record) for sort in resource.sorts.values()]
        for span in resource.ranges:
            values += [span.low(record), span.high(record)]
        rows.append(values)
        for rel, link in resource.links.items():
            links += [
                (resource.name, rel, target, record.id)
                for target in set(link.values(record, corpus))
            ]
    connection.executemany(f"insert into {resource.name} values ({marks})", rows)  # noqa: S608
    connection.executemany("insert into links values (?, ?, ?, ?)", links)
    _write_csv(connection, resource, rows)


def _write_csv(connection: sqlite3.Connection, resource: Resource, rows: list[list[Any]]) -> None:
    """Each record's CSV row, written from its body as a response would write it."""
    decode = msgspec.json.decode
    lines = flat.lines(flat.columns(resource.model), (decode(values[1]) for values in rows))
    sql = f"insert into {csv_table(resource)} values (?, ?)"  # noqa: S608
    connection.executemany(sql, zip((values[0] for values in rows), lines, strict=True))


def _write_search(connection: sqlite3.Connection, corpus: Corpus, texts: dict[str, str]) -> None:
    rows: list[tuple[int, str, str, str, str, str]] = []
    types = []
    for resource in RESOURCES:
        if resource.search_text is None:
            continue
        low = len(rows) + 1
        for record in corpus.records[resource.name]:
            body = resource.search_text(record, texts)
            label = resource.label(record)
            rows.append((len(rows) + 1, resource.noun, record.id, label, record.href, body))
        types.append((resource.noun, low, len(rows)))
    connection.executemany(
        "insert into search (rowid, type, id, name, href, body) values (?, ?, ?, ?, ?, ?)", rows
    )
    connection.executemany("insert into search_types values (?, ?, ?)", types)
    connection.execute("create virtual table temp.vocabulary using fts5vocab(main, search, row)")
    connection.execute("insert into search_terms select term, doc from temp.vocabulary")
    connection.execute("drop table temp.vocabulary")
    connection.executemany("insert into search_folds values (?, ?)", corrections().items())
