"""A budget of CPU time for one SQLite read: past it, the read is interrupted.

The work a search's count may do is measured in the CPU time of the thread running it, not in
wall-clock time: on a loaded machine a read that waits for a core (or for the GIL, to start)
is not working, so a narrow search is never refused because the machine was busy, and a broad
one is refused after the same work whatever the load.

Nor is it measured in SQLite virtual-machine steps (a progress handler): the costly part of a
broad search is FTS5 merging the doclists of every word a short prefix starts, inside one step,
where the progress handler is never called (at 1,000,000 facts, ``q=111 s`` takes 65 ms and
8,000 steps, ``q=111`` 0.5 ms and 19,000). ``sqlite3_interrupt`` — the one call another thread
may make — is heeded even there. So a timer wakes when the budget could first be spent; if the
read has used less CPU time than that (it waited), it sleeps for the rest, and so on.
"""

import sqlite3
import threading
import time
from collections.abc import Sequence
from typing import Any


class Watch:
    """Interrupts ``connection`` once the calling thread has used ``seconds`` of CPU time from
    now; ``stop()`` ends the watch (a no-op once the read is over)."""

    def __init__(self, connection: sqlite3.Connection, seconds: float) -> None:
        self._connection = connection
        self._clock = time.pthread_getcpuclockid(threading.get_ident())
        self._until = time.clock_gettime(self._clock) + seconds
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        #: Whether the read was interrupted (set before the interrupt is made).
        self.fired = False
        self._arm(seconds)

    def _arm(self, seconds: float) -> None:
        self._timer = threading.Timer(seconds, self._check)
        self._timer.daemon = True
        self._timer.start()

    def _check(self) -> None:
        with self._lock:
            if self._timer is None:
                return  # stopped
            left = self._until - time.clock_gettime(self._clock)
            if left > 0:
                self._arm(left)
            else:
                self.fired = True
                self._connection.interrupt()
                self._timer = None

    def stop(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None


def read_within(
    connection: sqlite3.Connection, sql: str, values: Sequence[Any], seconds: float
) -> list[Any] | None:
    """The rows of ``sql``, or None when reading them took more than ``seconds`` of this
    thread's CPU time. Should the interrupt land after the read, it is a no-op: SQLite clears
    the flag when the next statement starts. An interrupt does not always fail the read as
    "interrupted": landing in FTS5's first reading of its table on a new connection, it is
    "vtable constructor failed"; any error of a read the watch interrupted is the interrupt."""
    watch = Watch(connection, seconds)
    try:
        return connection.execute(sql, values).fetchall()
    except sqlite3.OperationalError:
        if not watch.fired:
            raise
        return None
    finally:
        watch.stop()
