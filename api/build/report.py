"""``python -m api check [FIXTURE…]``: every fault of every fixture at once, one per line.

The build's own checks (``checks.faults``) over all seeds and fixtures, since references
cross files; naming fixture files only narrows what is printed. Each fault is one line on
stdout (here folded)::

    fixtures/000_x.json:/quotes/0/speaker: reference 'putin' is not a known person id — did
    you mean 'vladimir-putin'?

that is ``file:pointer: fault — suggestion`` (no dash when there is no suggestion), where the
pointer is an RFC 6901 JSON pointer into the file, or the line and column where a file stopped
being JSON. ``--json`` prints one JSON object per fault instead (``file``, ``pointer``,
``fault``, ``suggestion``). A count goes to stderr. Exit status: 0 clean, 1 faults, 2 usage.
"""

import sys
from pathlib import Path

import msgspec

from api.build import checks, inputs
from api.model.errors import Fault

CLEAN, FAULTS, USAGE = 0, 1, 2


def as_json(fault: Fault) -> str:
    shape = {"file": fault.file, "pointer": fault.pointer, "fault": fault.message}
    return msgspec.json.encode({**shape, "suggestion": fault.suggestion}).decode()


def name_of(fixtures: Path, path: Path) -> str:
    """How faults name a fixture file (``fixtures/…``); ValueError when it is not one."""
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    try:
        inside = path.resolve().relative_to(fixtures.resolve())
    except ValueError:
        raise ValueError(f"{path}: not a file in {fixtures}") from None
    return f"fixtures/{inside.as_posix()}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def main(seeds: Path, fixtures: Path, files: list[Path], *, json: bool = False) -> int:
    try:
        named = {name_of(fixtures, path) for path in files}
    except ValueError as error:
        print(f"check: {error}", file=sys.stderr)
        return USAGE
    found = [f for f in checks.faults(inputs.read(seeds, fixtures)) if not named or f.file in named]
    for fault in found:
        print(as_json(fault) if json else fault.line())
    files_with = len({fault.file for fault in found})
    print(f"check: {_count(len(found), 'fault')} in {_count(files_with, 'file')}", file=sys.stderr)
    return FAULTS if found else CLEAN
