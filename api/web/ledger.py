"""The requests a worker answered, kept as they are answered and counted and logged in batches.

A request costs the edge one small record (an ``Answer``, about 0.1 µs to make and keep); the
metrics' counts (api/web/metrics.py) and the access log's lines (api/web/access.py) are made
from a batch of them at once: when ``BATCH`` are held, ``SECONDS`` after the first of a batch,
before a metrics scrape, and when the process stops. Counted and formatted one request at a
time, the two cost about 1.35 µs a request on their own; in batches 1.0 µs (0.6 with the log
off), and a cached answer called in process, its line written to /dev/null, went from 3.0 to
2.4 µs. Over HTTP the figure that counts is bench/'s ratio to the limit (BENCHMARKS.md).

So a log line is written at most ``SECONDS`` after its request was answered, and a worker's
counts reach its snapshot file at most ``SECONDS`` + ``metrics.WRITE_SECONDS`` after; its own
scrape sees them at once.
"""

import asyncio

from api.web.access import AccessLog, Answer
from api.web.metrics import Metrics

BATCH = 256
SECONDS = 0.5


class Ledger:
    """The answers of one process not yet counted and logged."""

    def __init__(self, metrics: Metrics, access: AccessLog) -> None:
        self.metrics, self.access = metrics, access
        self._held: list[Answer] = []
        self._pending: asyncio.TimerHandle | None = None
        metrics.settle = self.settle

    def add(self, answer: Answer) -> None:
        held = self._held
        held.append(answer)
        if len(held) >= BATCH:
            self.settle()
        elif self._pending is None:
            self._pending = asyncio.get_running_loop().call_later(SECONDS, self.settle)

    def settle(self) -> None:
        """Count and log every answer held."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        held, self._held = self._held, []
        if not held:
            return
        self.metrics.count(held)
        if self.access.enabled:
            self.access.write(held)
