"""Reading a built database: pages, records, searches (the layout is api/model/tables.py).

Table and column names come only from the catalog (fixed identifiers, never from a request);
every value is a bound parameter.
"""

import asyncio
import functools
import sqlite3
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter_ns
from typing import Any, Literal

import aiosqlite
import msgspec

from api.model.catalog import RESOURCES, Range, Resource
from api.model.errors import NotFound, Unavailable, too_broad, too_common, too_many_words
from api.model.folding import Folding
from api.model.tables import csv_table, sort_column
from api.web.budget import read_within
from api.web.snippet import Snippet

SortValue = str | float
#: What a page reads of each record: its JSON body or its CSV row (api/model/tables.py).
Read = Literal["body", "csv"]


def check_readable(path: Path, version: str) -> None:
    """A real read of the database file, on a fresh connection: its recorded version is
    ``version`` and the file is as long as its header says (a truncated file is not).

    Raises Unavailable with the reason, which the server logs and never shows a client.
    """
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            found = connection.execute("select value from meta where key = 'version'").fetchone()
            pages = connection.execute("pragma page_count").fetchone()[0]
            page_size = connection.execute("pragma page_size").fetchone()[0]
        finally:
            connection.close()
        size = path.stat().st_size
    except (sqlite3.Error, OSError) as exc:
        raise Unavailable(f"cannot read {path}: {exc}") from None
    if found is None or found[0] != version:
        raise Unavailable(f"{path} no longer holds version {version}")
    if size != pages * page_size:
        raise Unavailable(f"{path} has {size} bytes, its header says {pages * page_size}")


def samples(path: Path) -> dict[str, tuple[bytes, int]]:
    """The first record (by id) of every collection and the collection's size."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found = {}
        for resource in RESOURCES:
            total = connection.execute(f"select count(*) from {resource.name}").fetchone()[0]  # noqa: S608
            row = connection.execute(
                f"select body from {resource.name} order by id limit 1"  # noqa: S608
            ).fetchone()
            if row is not None:
                found[resource.name] = (bytes(row[0]), int(total))
        return found
    finally:
        connection.close()


@dataclass(frozen=True)
class Condition:
    """One filter of a list request, already validated: SQL with its bound values.

    ``probe`` is the same test written to be checked row by row (a primary-key lookup) while
    the table is read in sort order; ``sql`` gathers every match first. See ``Store.page``.
    ``match`` is the full-text query of a text filter, which must not be too broad to read.
    """

    sql: str
    values: tuple[Any, ...]
    probe: str | None = None
    match: str | None = None


def link_condition(resource: Resource, rel: str, target: str) -> Condition:
    return Condition(
        "id in (select id from links where resource = ? and rel = ? and target = ?)",
        (resource.name, rel, target),
        "exists (select 1 from links where resource = ? and rel = ? and target = ?"  # noqa: S608
        f" and links.id = {resource.name}.id)",
    )


def range_conditions(span: Range, low: Any | None, high: Any | None) -> list[Condition]:
    """Overlap with [low, high]: the record's high end reaches low, its low end reaches high."""
    conditions = []
    if low is not None:
        conditions.append(Condition(f"high_{span.high_param} >= ?", (low,)))
    if high is not None:
        conditions.append(Condition(f"low_{span.low_param} <= ?", (high,)))
    return conditions


#: The search rows of type ``?2`` (every row when it is null): a rowid range (api/model/tables.py).
TYPED = (
    "rowid between coalesce((select low from search_types where type = ?2), 0)"
    " and coalesce((select high from search_types where type = ?2), 9223372036854775807)"
)


def text_condition(resource: Resource, match: str) -> Condition:
    typed = TYPED.replace("?2", "?")
    return Condition(
        f"id in (select id from search where search match ? and {typed})",  # noqa: S608
        (match, resource.noun, resource.noun),
        match=match,
    )


#: One page: its bodies, the total of matches and the sort key of the last row when more follow
#: (a plain tuple: building a named one cost more than a percent of an uncached list).
Page = tuple[list[bytes], int, tuple[SortValue, str] | None]


class Identified(msgspec.Struct):
    """Any record's body, read for its id alone (msgspec skips the other fields)."""

    id: str


IDENTIFIED = msgspec.json.Decoder(Identified)

#: Filtered totals remembered per process: the dataset never changes while it is served.
REMEMBERED_TOTALS = 4096
#: A page that reads at most this many rows is read on the event loop (see Store.page).
SMALL_SCAN = 10_000
#: The most values a facet lists (the most common ones).
FACET_VALUES = 100
#: A search with at most this many matches is ranked on the event loop (about a millisecond).
SMALL_SEARCH = 2_000
#: Ranking reads every match (BM25 cost about 1.2 µs a match at the 1,000,000-fact scale): a
#: search matching more records than this is refused as too broad, before any ranking.
MAX_RANKED = 5_000
#: Seconds of CPU time counting a search's matches may take before it is interrupted (time the
#: search thread spends waiting for a core does not count: api/web/budget.py): the backstop for
#: what the cap cannot see coming (a short prefix makes FTS5 merge the doclists of every word
#: it starts, 44 ms for "s*" at scale, before the first match is counted). Ranking is bounded
#: by the cap itself, so that an answer never depends on the load.
SEARCH_BUDGET = 0.015
#: BM25 scores every match for every word of the query (about 0.4 µs each at the 1,000,000-fact
#: scale): a search whose matches times its words exceed this is refused as too broad.
MAX_SCORED = 10_000
#: BM25 weighs each word of a search by how many records hold it, which FTS5 learns by reading
#: the word's whole doclist (about 20 ns a record at the 1,000,000-fact scale: 8 ms for "the",
#: held by 410,000): a search whose words are held by more records than this, in all, is
#: refused as too broad before ranking. How many hold each is a lookup (search_terms).
MAX_WEIGHED = 150_000
#: The words a prefix (a query's last word) stands for whose records are counted: past them
#: the count is a floor (a prefix this short is also what SEARCH_BUDGET stops).
PREFIX_TERMS = 10_000
WORD_RECORDS = "select coalesce(max(records), 0) from search_terms where term = ?"
PREFIX_RECORDS = (
    "select coalesce(sum(records), 0) from"
    " (select records from search_terms where term >= ?1 and term < ?2 limit ?3)"
)
MATCHES = "select count(*) from (select 1 from search where search match ? limit ?)"
#: A search's ranking reads the index alone (rowids and BM25 scores); the rows and snippets of
#: the page are read afterwards, by rowid (reading them while ranking read every match's row).
RANK = (
    "select row, score from ("  # noqa: S608
    " select rowid as row, bm25(search) as score from search"
    f" where search match ?1 and {TYPED})"
    " where ?3 is null or score > ?3 or (score = ?3 and row > ?4)"
    " order by score, row limit ?5"
)
HITS = (
    "select rowid, type, id, name, href, body from search"
    " where rowid in (select value from json_each(?))"
)


class Store:
    """Read-only access to a built database.

    Bounded indexed reads (a record by id, a keyset page, the metadata) run on a synchronous
    connection directly on the event loop: they take microseconds, less than the hop to
    aiosqlite's thread would cost. Reads whose cost grows with the data (counting the matches
    of a filter, full-text search, a page of a large filtered set) go through aiosqlite's
    thread, so a long one does not hold up other requests. Totals are remembered. A search
    too large to rank on the event loop runs on a thread and connection of its own, one at a
    time, so that interrupting one that runs past its budget stops nothing else.
    """

    def __init__(
        self,
        path: Path,
        connection: aiosqlite.Connection,
        reader: sqlite3.Connection,
        searcher: sqlite3.Connection,
    ) -> None:
        self.path = path
        #: The dataset version being served, read once when the store opens.
        self.version = str(
            reader.execute("select value from meta where key = 'version'").fetchone()[0]
        )
        #: Text folded as the index's tokenizer folds it (api/model/folding.py).
        self.fold = Folding(dict(reader.execute("select code, folded from search_folds")))
        self._db = connection
        self._reader = reader
        #: Large searches run one at a time on their own connection and thread, under a budget.
        self._searcher = searcher
        self._search_thread = ThreadPoolExecutor(1, thread_name_prefix="search")
        self._cursor = reader.cursor()
        #: What reading the database has cost (the metrics' database read time).
        self.reads = Reads()
        self._totals: dict[tuple[str, str, tuple[Any, ...]], int] = {}
        #: The SQL of a page by its shape; shapes are finite (filters and sorts are catalogued).
        self._pages: dict[tuple[str, str, str, str, bool, Read], str] = {}

    @classmethod
    async def open(cls, path: Path) -> "Store":
        connection = await aiosqlite.connect(f"file:{path}?mode=ro", uri=True)
        await connection.execute("pragma query_only = on")
        # immutable: a build replaces the file (a new inode), it never changes one being read.
        reader = sqlite3.connect(
            f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
        reader.execute("pragma query_only = on")
        searcher = sqlite3.connect(
            f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
        return cls(path, connection, reader, searcher)

    async def close(self) -> None:
        self._search_thread.shutdown()
        self._searcher.close()
        self._reader.close()
        await self._db.close()

    async def _one(self, sql: str, values: Sequence[Any]) -> Any:
        began = perf_counter_ns()
        async with self._db.execute(sql, values) as cursor:
            row = await cursor.fetchone()
        self.reads.add(began)
        return row

    async def _all(self, sql: str, values: Sequence[Any]) -> Iterable[Any]:
        began = perf_counter_ns()
        async with self._db.execute(sql, values) as cursor:
            rows = await cursor.fetchall()
        self.reads.add(began)
        return rows

    def _now(self, sql: str, values: Sequence[Any]) -> list[Any]:
        """A bounded read on the event loop, without a thread hop."""
        began = perf_counter_ns()
        rows = self._cursor.execute(sql, values).fetchall()
        self.reads.add(began)
        return rows

    async def _total(self, table: str, where: str, values: tuple[Any, ...]) -> int:
        key = (table, where, values)
        total = self._totals.get(key)
        return await self._count(key) if total is None else total

    async def _count(self, key: tuple[str, str, tuple[Any, ...]]) -> int:
        table, where, values = key
        row = await self._one(f"select count(*) from {table} where {where}", values)  # noqa: S608
        return self._remember(key, int(row[0]))

    def _remember(self, key: tuple[str, str, tuple[Any, ...]], total: int) -> int:
        if len(self._totals) >= REMEMBERED_TOTALS:
            del self._totals[next(iter(self._totals))]
        self._totals[key] = total
        return total

    async def _searching(
        self, sql: str, values: Sequence[Any], budget: float | None = None
    ) -> list[Any] | None:
        """A search read on the search thread; None when it used more than ``budget`` seconds
        of the thread's CPU time (api/web/budget.py)."""
        loop = asyncio.get_running_loop()
        run = self._run_budgeted
        began = perf_counter_ns()
        rows = await loop.run_in_executor(self._search_thread, run, sql, values, budget)
        self.reads.add(began)
        return rows

    def _run_budgeted(
        self, sql: str, values: Sequence[Any], budget: float | None
    ) -> list[Any] | None:
        if budget is None:
            return self._searcher.execute(sql, values).fetchall()
        return read_within(self._searcher, sql, values, budget)

    async def ready(self) -> None:
        """Raise Unavailable unless the database file can be read now (see check_readable)."""
        await asyncio.to_thread(check_readable, self.path, self.version)

    async def meta(self) -> dict[str, str]:
        return dict(self._now("select key, value from meta", ()))

    async def counts(self) -> dict[str, int]:
        return {resource.name: await self._total(resource.name, "1", ()) for resource in RESOURCES}

    async def body(self, resource: Resource, record_id: str) -> bytes:
        rows = self._now(f"select body from {resource.name} where id = ?", (record_id,))  # noqa: S608
        if not rows:
            raise NotFound(f"no {resource.noun} with id {record_id!r}")
        return bytes(rows[0][0])

    async def text(self, article_id: str) -> str:
        rows = self._now("select text from article_text where id = ?", (article_id,))
        if not rows:
            raise NotFound(f"no article with id {article_id!r}")
        return str(rows[0][0])

    async def _narrow_enough(self, match: str) -> int:
        """Raise the too-broad 400 unless ``match`` matches at most MAX_RANKED records (of any
        type), counted within SEARCH_BUDGET; the count is remembered either way."""
        key = ("search", MATCHES, (match,))
        matches = self._totals.get(key)
        if matches is None:
            counted = await self._searching(MATCHES, (match, MAX_RANKED + 1), SEARCH_BUDGET)
            # Interrupted: at least as broad as the cap, and remembered as such.
            matches = self._remember(key, MAX_RANKED + 1 if counted is None else counted[0][0])
        if matches > MAX_RANKED:
            raise too_broad(MAX_RANKED, SEARCH_BUDGET)
        return matches

    async def page(
        self,
        resource: Resource,
        conditions: list[Condition],
        sort: str,
        descending: bool,
        after: tuple[SortValue, str] | None,
        limit: int,
        read: Read = "body",
    ) -> Page:
        """A page of records (``read``: their JSON bodies, or their stored CSV rows)."""
        column = sort_column(sort)
        values: tuple[Any, ...]
        where, values = "1", ()
        if conditions:
            where = " and ".join(c.sql for c in conditions)
            values = tuple(v for c in conditions for v in c.values)
        for condition in conditions:
            if condition.match is not None:
                await self._narrow_enough(condition.match)
        total = self._totals.get((resource.name, where, values))
        if total is None:
            total = await self._count((resource.name, where, values))
        # Rows a page reads: unfiltered, limit + 1 in index order. Filtered, gathering the
        # matches first reads all `total` of them; probing while reading in sort order reads
        # about (limit + 1) * rows / total. A broad filter is probed, a narrow one gathered.
        scan = limit + 1
        if conditions:
            rows = await self._total(resource.name, "1", ())
            scan = total
            probed = (limit + 1) * rows // max(total, 1)
            if probed < total and any(c.probe for c in conditions):
                where, scan = " and ".join(c.probe or c.sql for c in conditions), probed
        keyset, key_values = _keyset(column, descending, after)
        shape = (resource.name, where, keyset, column, descending, read)
        sql = self._pages.get(shape)
        if sql is None:
            direction = "desc" if descending else "asc"
            # Ties are broken by id; sorting by id needs no second term (it would cost a sort).
            order = f"id {direction}" if column == "id" else f"{column} {direction}, id asc"
            sql = self._pages[shape] = (
                f"select {_selected(resource, read, where == '1' and column == 'id')}"
                f" where {where} and {keyset}"
                f" order by {order} limit ?"
            )
        bound = (*values, *key_values, limit + 1)
        found = self._now(sql, bound) if scan <= SMALL_SCAN else list(await self._all(sql, bound))
        bodies = [row[0] for row in found]  # blobs: bytes
        if len(bodies) <= limit:
            return bodies, total, None
        del bodies[limit:]
        last = found[limit - 1]
        record_id = IDENTIFIED.decode(last[0]).id if read == "body" else str(last[1])
        return bodies, total, self._key(resource, column, record_id)

    def _key(self, resource: Resource, column: str, record_id: str) -> tuple[SortValue, str]:
        """The sort key of a page's last record, for the next page's cursor."""
        if column == "id":
            return record_id, record_id
        sql = f"select {column} from {resource.name} where id = ?"  # noqa: S608
        return self._now(sql, (record_id,))[0][0], record_id

    async def facet(
        self, resource: Resource, conditions: list[Condition], rel: str
    ) -> list[tuple[str, int]]:
        """The values of a filter over the records that meet ``conditions``, most common
        first (ties by value), at most FACET_VALUES of them."""
        where = " and ".join(c.sql for c in conditions) or "1"
        values = tuple(v for c in conditions for v in c.values)
        sql = (
            "select target, count(*) as n from links where resource = ? and rel = ?"  # noqa: S608
            f" and id in (select id from {resource.name} where {where})"
            f" group by target order by n desc, target limit {FACET_VALUES}"
        )
        rows = await self._all(sql, (resource.name, rel, *values))
        return [(str(row[0]), int(row[1])) for row in rows]

    def weighed(self, words: Sequence[str]) -> list[int]:
        """How many records hold each word of a query (the last one as a prefix): what BM25
        reads to weigh it."""
        folded = [self.fold(word) for word in words]
        counts = [int(self._now(WORD_RECORDS, (word,))[0][0]) for word in folded[:-1]]
        if folded:
            last = folded[-1]
            after = last[:-1] + chr(min(ord(last[-1]) + 1, sys.maxunicode))
            counts.append(int(self._now(PREFIX_RECORDS, (last, after, PREFIX_TERMS))[0][0]))
        return counts

    async def search(
        self,
        match: str,
        words: Sequence[str],
        hit_type: str | None,
        after: tuple[float, int] | None,
        limit: int,
    ) -> tuple[list[tuple[Any, ...]], int, tuple[float, int] | None]:
        """Hits of ``match`` (the FTS5 query of ``words``) best first (BM25), keyset-paged on
        (score, rowid): type, id, name, href and the snippet of the record's text, centred on
        the word held by the fewest records.

        Ranking reads every match, so only a search with few matches runs on the event loop.
        """
        if not words:  # the text has no word the tokenizer keeps (only punctuation)
            return [], 0, None
        matches = await self._narrow_enough(match)
        if matches * len(words) > MAX_SCORED:
            raise too_many_words(matches, len(words), MAX_SCORED)
        weighed = self.weighed(words)
        if sum(weighed) > MAX_WEIGHED:
            commonest = weighed.index(max(weighed))
            prefix = commonest == len(words) - 1
            raise too_common(words[commonest], weighed[commonest], MAX_WEIGHED, prefix)
        snippet = Snippet(words, weighed.index(min(weighed)), self.fold)
        total = await self._total("search", f"search match ?1 and {TYPED}", (match, hit_type))
        score, row = after if after is not None else (None, None)
        bound = (match, hit_type, score, row, limit + 1)
        if total <= SMALL_SEARCH:
            rows = _hits(self._reader, bound, snippet, limit)
        else:
            loop = asyncio.get_running_loop()
            read = functools.partial(_hits, self._searcher, bound, snippet, limit)
            rows = await loop.run_in_executor(self._search_thread, read)
        last = (rows[limit - 1][5], rows[limit - 1][6]) if len(rows) > limit else None
        return [row[:5] for row in rows[:limit]], total, last


def _hits(
    connection: sqlite3.Connection,
    bound: tuple[Any, ...],
    snippet: Callable[[str], str],
    limit: int,
) -> list[tuple[Any, ...]]:
    """A page of ranked hits and the row after it: (type, id, name, href, snippet, score,
    rowid), snippets only for the page's rows."""
    ranked = connection.execute(RANK, bound).fetchall()
    rowids = msgspec.json.encode([row for row, _ in ranked])
    found = {row[0]: row[1:] for row in connection.execute(HITS, (rowids,))}
    hits = []
    for index, (row, score) in enumerate(ranked):
        kind, record_id, name, href, body = found[row]
        text = snippet(body) if index < limit else ""
        hits.append((kind, record_id, name, href, text, score, row))
    return hits


class Reads:
    """Reads of the database and the time they took, counted by the Store."""

    __slots__ = ("count", "nanoseconds")

    def __init__(self) -> None:
        self.count = 0
        self.nanoseconds = 0

    def add(self, began: int) -> None:
        self.count += 1
        self.nanoseconds += perf_counter_ns() - began


class Opened:
    """Where the application's Store is while it runs: its lifespan opens and closes it."""

    def __init__(self) -> None:
        self._store: Store | None = None
        #: The reads of a Store that was closed: counters of a stopping worker never go back.
        self._closed = Reads()

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the store is not open: the application is not running")
        return self._store

    async def open(self, path: Path) -> None:
        self._store = await Store.open(path)

    def reads(self) -> tuple[int, int]:
        """The reads of the open Store and the nanoseconds they took; none before it opens."""
        reads = self._closed if self._store is None else self._store.reads
        return reads.count, reads.nanoseconds

    async def close(self) -> None:
        store, self._store = self.store, None
        self._closed = store.reads
        await store.close()


def _selected(resource: Resource, read: Read, alone: bool) -> str:
    """What a page reads, and from where. A body alone: a column more cost a tenth of a
    microsecond a row, and the id of the last one is its body's. A CSV row with its id: from
    the rows' table ``alone`` (no filter, id order), else joined by id, so that filters and
    sort columns name the records' table as before (the join doubled the time of reading all
    400,000 quotes' rows at scale: 0.4 s against 0.2 s)."""
    if read == "body":
        return f"body from {resource.name}"
    if alone:
        return f"row, id from {csv_table(resource)}"
    return f"row, id from {resource.name} join {csv_table(resource)} using (id)"


def _keyset(
    column: str, descending: bool, after: tuple[SortValue, str] | None
) -> tuple[str, tuple[Any, ...]]:
    if after is None:
        return "1", ()
    value, last_id = after
    if column == "id":
        return ("id < ?" if descending else "id > ?"), (last_id,)
    op = "<" if descending else ">"
    # The bound first lets SQLite start the index walk at the last page's key; the plain
    # disjunction (a < v or (a = v and id > last)) made it gather and sort every remaining row
    # (a "MULTI-INDEX OR"): 1.4 s for a page of quotes by -date at scale, 0.6 ms written so.
    return f"({column} {op}= ? and ({column} {op} ? or id > ?))", (value, value, last_id)
