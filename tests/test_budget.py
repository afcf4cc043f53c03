"""The CPU-time budget of a read (api/web/budget.py): work past it is interrupted, waiting is not
work — so a narrow search is answered however busy the machine, and a broad one refused."""

import sqlite3
import time
from collections.abc import Iterator

import pytest

from api.web.budget import read_within

#: Counting to a hundred million in SQLite's virtual machine: seconds of CPU time.
BUSY = (
    "with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000000)"
    " select count(*) from n"
)


def pause(seconds: float) -> int:
    """Wait, working not at all (an SQL function)."""
    time.sleep(seconds)
    return 1


@pytest.fixture
def connection() -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(":memory:", check_same_thread=False)
    connection.create_function("pause", 1, pause)
    yield connection
    connection.close()


def test_a_read_that_works_past_its_budget_is_interrupted(
    connection: sqlite3.Connection,
) -> None:
    assert read_within(connection, BUSY, (), 0.01) is None
    assert read_within(connection, "select 2", (), 0.01) == [(2,)]  # the connection still works


def test_a_read_that_waits_past_its_budget_is_not(connection: sqlite3.Connection) -> None:
    # Ten times its budget in wall-clock time, none of it working: what a busy machine does
    # to a narrow search (the wall-clock budget refused `q=terror` on a loaded machine once).
    assert read_within(connection, "select pause(?)", (0.1,), 0.01) == [(1,)]


def test_a_read_within_its_budget_is_answered_and_never_interrupted_later(
    connection: sqlite3.Connection,
) -> None:
    assert read_within(connection, "select 1", (), 0.01) == [(1,)]
    time.sleep(0.03)  # past the budget: the watch has stopped, so the next read is whole
    assert read_within(connection, "select count(*) from (select 1 union select 2)", (), 10) == [
        (2,)
    ]


def test_other_errors_are_raised(connection: sqlite3.Connection) -> None:
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        read_within(connection, "select * from missing", (), 0.01)
