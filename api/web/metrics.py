"""Metrics in Prometheus's text format at ``GET /metrics``, summed over every worker.

What is counted: requests by route template, status and how they were answered (cache, fast
path, routing, stream); a latency histogram by how they were answered; time spent reading the
database; the response cache's entries and bytes; and the dataset version as an info metric.

Several workers: each counts in its own memory (dictionary increments, made in batches by
api/web/ledger.py at most half a second after the requests) and writes a snapshot of its
counts, at most twice a second while it serves, to a directory shared by the workers of one
server (``ARTICLE_FACTS_METRICS_DIR``; ``serve`` makes a fresh one per run). A scrape,
answered by any worker, sums the snapshots of all of them (its own taken now, so at most a
second behind for the others). Counts of a worker that died stay in the sum,
so counters never go back; its gauges (the cache of a process that is gone) are left out.
The alternatives measured: prometheus-client's multiprocess mode writes an mmap'd file on every
increment, 2.6 to 3.7 µs a request here (the cached answer costs 40 µs); granian's exporter only
counts server events (connections, requests), not routes or the cache. The rendering is
prometheus-client's.

Where it is served: on the service's own port, for a scraper on the private network; the
reference proxy (deploy/nginx.conf) answers ``/metrics`` with 404, so it is never public.
"""

import asyncio
import bisect
import os
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    InfoMetricFamily,
    Metric,
)
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector, CollectorRegistry

from api.web.access import Answer

#: Upper bounds of the latency histogram, in seconds (a cache hit takes about 40 µs).
BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)
#: BUCKETS in nanoseconds, as answers measure their time.
BOUNDS = tuple(round(bound * 1e9) for bound in BUCKETS)
WRITE_SECONDS = 0.5
#: The route of a request no route took (a 404): one label, whatever the path.
UNMATCHED = "unmatched"
PREFIX = "article_facts"


class Snapshot(msgspec.Struct, kw_only=True):
    """What one worker has counted: its counters since it started and its gauges now."""

    pid: int
    requests: dict[str, int] = {}
    latency: dict[str, list[int]] = {}
    latency_sum: dict[str, float] = {}
    read_seconds: float = 0.0
    reads: int = 0
    cache_entries: int = 0
    cache_bytes: int = 0


class Metrics:
    """The counts of one process, its snapshots, and the scrape over all of them."""

    def __init__(self, version: str, revision: str, folder: Path | None) -> None:
        self.version, self.revision = version, revision
        self._folder = folder
        self._requests: dict[tuple[str, int, str], int] = {}
        self._latency: dict[str, list[int]] = {}
        self._latency_sum: dict[str, float] = {}
        #: The response cache's (entries, bytes) and the database's (reads, nanoseconds reading),
        #: asked when a snapshot is taken.
        self.cache: Callable[[], tuple[int, int]] = lambda: (0, 0)
        self.reads: Callable[[], tuple[int, int]] = lambda: (0, 0)
        #: Counts the answers not yet counted (api/web/ledger.py), before a snapshot.
        self.settle: Callable[[], None] = lambda: None
        self._pending: asyncio.TimerHandle | None = None

    def count(self, answers: list[Answer]) -> None:
        """Count a batch of answers (api/web/ledger.py)."""
        requests, latency, latency_sum = self._requests, self._latency, self._latency_sum
        counted = Counter(
            (a.route, a.status, a.answered, bisect.bisect_left(BOUNDS, a.nanoseconds))
            for a in answers
        )
        for (route, status, answered, bucket), n in counted.items():
            key = (route, status, answered)
            requests[key] = requests.get(key, 0) + n
            buckets = latency.get(answered)
            if buckets is None:
                buckets = latency[answered] = [0] * (len(BUCKETS) + 1)
                latency_sum[answered] = 0.0
            buckets[bucket] += n
        spent: dict[str, int] = {}
        for a in answers:
            spent[a.answered] = spent.get(a.answered, 0) + a.nanoseconds
        for kind, nanoseconds in spent.items():
            latency_sum[kind] += nanoseconds / 1e9
        if self._pending is None and self._folder is not None:
            self._pending = asyncio.get_running_loop().call_later(WRITE_SECONDS, self.write)

    def snapshot(self) -> Snapshot:
        self.settle()
        entries, size = self.cache()
        reads, reading = self.reads()
        return Snapshot(
            pid=os.getpid(),
            requests={_joined(key): n for key, n in self._requests.items()},
            latency={k: list(v) for k, v in self._latency.items()},
            latency_sum=dict(self._latency_sum),
            read_seconds=reading / 1e9,
            reads=reads,
            cache_entries=entries,
            cache_bytes=size,
        )

    def write(self, snapshot: Snapshot | None = None) -> None:
        """Write this process's snapshot (``snapshot``, or one taken now) for the others'
        scrapes, atomically: a new file."""
        self.settle()  # first: counting them would schedule another write
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        if self._folder is None:
            return
        path = self._folder / f"{os.getpid()}.json"
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(msgspec.json.encode(snapshot or self.snapshot()))
        os.replace(temporary, path)

    def snapshots(self) -> list[Snapshot]:
        """Every worker's last snapshot, this one's taken now and written first: a later scrape
        answered by another worker then reads counts at least these, so no counter goes back."""
        own = self.snapshot()
        self.write(own)
        found = [own]
        if self._folder is not None:
            for path in sorted(self._folder.glob("*.json")):
                if path.stem != str(own.pid):
                    found.append(msgspec.json.decode(path.read_bytes(), type=Snapshot))
        return found

    def render(self) -> bytes:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(Scrape(self, self.snapshots()))
        return generate_latest(registry)


def _joined(key: tuple[str, int, str]) -> str:
    route, status, answered = key
    return f"{route} {status} {answered}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Scrape(Collector):
    """The metric families of one scrape: the snapshots summed."""

    def __init__(self, metrics: Metrics, snapshots: list[Snapshot]) -> None:
        self.metrics, self.snapshots = metrics, snapshots

    def collect(self) -> Iterator[Metric]:
        yield from (self._requests(), self._latency(), *self._reads(), *self._cache())
        info = InfoMetricFamily(f"{PREFIX}_dataset", "The dataset and revision being served.")
        info.add_metric([], {"version": self.metrics.version, "revision": self.metrics.revision})
        yield info

    def _requests(self) -> Metric:
        family = CounterMetricFamily(
            f"{PREFIX}_requests",
            "Requests answered, by route template, status and how answered.",
            labels=["route", "status", "answered"],
        )
        summed: dict[str, int] = {}
        for snapshot in self.snapshots:
            for key, n in snapshot.requests.items():
                summed[key] = summed.get(key, 0) + n
        for key, n in sorted(summed.items()):
            route, status, answered = key.rsplit(" ", 2)
            family.add_metric([route, status, answered], n)
        return family

    def _latency(self) -> Metric:
        family = HistogramMetricFamily(
            f"{PREFIX}_request_duration_seconds",
            "Time from a request's arrival at the service to its last byte sent, by how answered.",
            labels=["answered"],
        )
        names = sorted({name for s in self.snapshots for name in s.latency})
        for name in names:
            counts = [0] * (len(BUCKETS) + 1)
            total = 0.0
            for snapshot in self.snapshots:
                for index, n in enumerate(snapshot.latency.get(name, ())):
                    counts[index] += n
                total += snapshot.latency_sum.get(name, 0.0)
            running = 0
            buckets = []
            for bound, n in zip([*map(str, BUCKETS), "+Inf"], counts, strict=True):
                running += n
                buckets.append((bound, float(running)))
            family.add_metric([name], buckets, total)
        return family

    def _reads(self) -> list[Metric]:
        seconds = CounterMetricFamily(
            f"{PREFIX}_database_read_seconds", "Time spent reading the database."
        )
        seconds.add_metric([], sum(s.read_seconds for s in self.snapshots))
        reads = CounterMetricFamily(f"{PREFIX}_database_reads", "Reads of the database.")
        reads.add_metric([], sum(s.reads for s in self.snapshots))
        return [seconds, reads]

    def _cache(self) -> list[Metric]:
        live = [s for s in self.snapshots if _alive(s.pid)]
        entries = GaugeMetricFamily(
            f"{PREFIX}_cache_entries", "Responses held by the response caches of live workers."
        )
        entries.add_metric([], sum(s.cache_entries for s in live))
        size = GaugeMetricFamily(
            f"{PREFIX}_cache_bytes", "Bytes the response caches of live workers count."
        )
        size.add_metric([], sum(s.cache_bytes for s in live))
        workers = GaugeMetricFamily(f"{PREFIX}_workers", "Workers whose snapshot was summed.")
        workers.add_metric([], len(live))
        return [entries, size, workers]
