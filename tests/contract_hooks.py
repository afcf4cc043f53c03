"""Schemathesis hooks shared by the in-process and the live contract runs (schemathesis.toml).

An OpenAPI document cannot state rules that tie one parameter to another or to the data. These
hooks teach the generator those rules, and only for *positive* cases, the requests the document
promises are valid, so `positive_data_acceptance` checks what the service really promises:

- a cursor is valid when this service issued it for the same sort (search: for its ranking);
- a range (`date_from`/`date_to`, `value_min`/`value_max`) is not inverted;
- text offsets lie inside the article, `start` not after `end`.

Negative cases are never touched, so every check still sees every invalid input. The database
read for article lengths is the one the service serves (see ``serve``).
"""

import sqlite3
from functools import cache
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis import Case

from api.model.catalog import RESOURCES
from api.settings import Settings
from api.web.query import Cursor, encode_cursor

LISTS = {f"/v1/{resource.name}": resource for resource in RESOURCES}
TEXT = "/v1/articles/{id}/text"
SEARCH = "/v1/search"
#: Cursor fields taken from generated text are cut so the cursor stays within its 512 characters.
KEEP = 24


#: The database the service under test serves; the live run names it in ARTICLE_FACTS_DB.
DATABASE: list[Path] = []


def serve(database: Path) -> None:
    """Name the database of an in-process run (the live run uses ARTICLE_FACTS_DB)."""
    DATABASE[:] = [database]
    article_lengths.cache_clear()


@cache
def article_lengths() -> dict[str, int]:
    """The length of every article text in code points, by article id."""
    database = DATABASE[0] if DATABASE else Settings.from_env().database
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = connection.execute("select id, length(text) from article_text").fetchall()
    finally:
        connection.close()
    return {str(article): int(length) for article, length in rows}


def issued_cursor(path: str, query: dict[str, Any], drawn: Any) -> str:
    """A cursor as this service issues it, carrying generated values for the sort key and id."""
    text = str(drawn)[:KEEP]
    if path == SEARCH:
        return encode_cursor(Cursor("rank", -float(len(text)), str(len(text))))
    return encode_cursor(Cursor(str(query.get("sort", "id")), text, text))


def ordered(query: dict[str, Any], low: str, high: str) -> None:
    """Swap an inverted range: dates compare as ISO strings, numbers as numbers."""
    if query.get(low) is not None and query.get(high) is not None:
        key = str if isinstance(query[low], str) else float
        query[low], query[high] = sorted((query[low], query[high]), key=key)


def inside(query: dict[str, Any], length: int) -> None:
    """Clamp text offsets into the article and put start before end."""
    start = min(int(query.get("start", 0)), length)
    end = min(int(query.get("end", length)), length)
    start, end = min(start, end), max(start, end)
    query.update({key: value for key, value in (("start", start), ("end", end)) if key in query})


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: Case[Any]) -> Case[Any]:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or not case.query:
        return case
    path, query = case.path, case.query
    if query.get("cursor") is not None and (path in LISTS or path == SEARCH):
        query["cursor"] = issued_cursor(path, query, query["cursor"])
    for span in LISTS[path].ranges if path in LISTS else ():
        ordered(query, span.low_param, span.high_param)
    if path == TEXT:
        length = article_lengths().get(str((case.path_parameters or {}).get("id")))
        if length is not None:
            inside(query, length)
    return case
