"""What ``serve`` checks before it starts: a database it can read, built by this very code.

``serve`` never writes the database, and it does not need the inputs: a database is a build
artifact, shipped as it is (whether it matches the fixtures is the build's question, which
``make run`` asks first with ``build --if-stale``). Each fault is one line and an exit code.
"""

import os
from dataclasses import dataclass

from api.model.tables import recorded
from api.revision import code_digest
from api.settings import Settings

BUILD = "python -m api build"


@dataclass(frozen=True)
class Fault:
    """Why the service cannot start, as one line, and the exit code that says it to scripts."""

    code: int
    message: str


#: The exit codes of ``python -m api serve``, documented in README.
MISSING, UNREADABLE, CORRUPT, STALE = 3, 4, 5, 6


def fault(settings: Settings) -> Fault | None:
    """The first thing wrong with the database ``settings`` names, or None."""
    path = settings.database
    if not path.exists():
        return Fault(MISSING, f"no database at {path}: run `{BUILD}` (or `make run`)")
    if not path.is_file() or not os.access(path, os.R_OK):
        kind = "a directory" if path.is_dir() else "not readable by this user"
        fix = "fix it or point ARTICLE_FACTS_DB at a database"
        return Fault(UNREADABLE, f"database {path} is {kind}: {fix}")
    if recorded(path) is None:
        return Fault(CORRUPT, f"{path} is not a database this service built: run `{BUILD}`")
    if recorded(path, "code") != code_digest():
        return Fault(
            STALE, f"database {path} was built by another version of the code: run `{BUILD}`"
        )
    return None
