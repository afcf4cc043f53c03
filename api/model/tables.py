"""The database layout the writer (api/build/writer.py) and the reader (api/web/store.py) share.

One table per catalog resource (``id``, the encoded ``body`` and a column per sort key and
range end) and one of its records' CSV rows, the filter links, the full-text index, the
article texts and the build's meta.
Table and column names come only from the catalog: fixed identifiers, never from a request.
"""

import sqlite3
from pathlib import Path

from api.model.catalog import RESOURCES, Resource
from api.model.folding import TOKENIZER


def sort_column(key: str) -> str:
    return "id" if key == "id" else f"sort_{key}"


def csv_table(resource: Resource) -> str:
    """The table of a resource's records as CSV rows of every column (api/model/flat.py), CRLF
    included: an export of whole records joins them. A table of its own, beside the bodies',
    keeps the pages of JSON as compact as they were and ``select *`` of the records as it was;
    an export in id order walks it alone, any other joins it by id."""
    return f"{resource.name}_csv"


def columns(resource: Resource) -> list[str]:
    columns = [sort_column(key) for key in resource.sorts]
    for span in resource.ranges:
        columns += [f"low_{span.low_param}", f"high_{span.high_param}"]
    return columns


#: Pages of 16 KiB keep a record's body (most are 1-4 KB) in the table's own b-tree, stored in
#: id order (``without rowid``): a page of records is one ordered walk, with no overflow pages.
PAGE_SIZE = 16384


def schema() -> list[str]:
    statements = [
        "create table meta (key text primary key, value text not null)",
        "create table article_text (id text primary key, text text not null)",
        "create table links (resource text not null, rel text not null, target text not null,"
        " id text not null, primary key (resource, rel, target, id)) without rowid",
        "create virtual table search using fts5(type unindexed, id unindexed, name unindexed,"
        f" href unindexed, body, tokenize = '{TOKENIZER}')",
        # Each type's search rows are one run of rowids: a type filter is a rowid range, which
        # FTS5 applies while reading its index (a test of ``type`` reads every match's row).
        "create table search_types (type text primary key, low integer not null,"
        " high integer not null)",
        # How many search rows hold each word of the index (FTS5's fts5vocab counts them by
        # reading the word's whole doclist; this is a lookup): what ranking a word will cost.
        "create table search_terms (term text primary key, records integer not null) without rowid",
        # The letters and digits the tokenizer folds other than str.lower (api/model/folding.py).
        "create table search_folds (code integer primary key, folded text not null)",
    ]
    for resource in RESOURCES:
        extra = "".join(f", {column} not null" for column in columns(resource))
        statements.append(
            f"create table {resource.name} (id text primary key, body blob not null{extra})"
            " without rowid"
        )
        statements.append(
            f"create table {csv_table(resource)} (id text primary key, row blob not null)"
            " without rowid"
        )
        for column in columns(resource):
            statements.append(
                f"create index {resource.name}_{column} on {resource.name} ({column}, id)"
            )
    return statements


def recorded(path: Path, key: str = "version") -> str | None:
    """A value a build recorded in a database's meta (by default the dataset version), or None
    when there is no readable one."""
    if not path.exists():
        return None
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = connection.execute("select value from meta where key = ?", (key,)).fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    return None if row is None else str(row[0])
