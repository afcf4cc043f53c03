"""The error hierarchy and the one problem-details shape every 4xx/5xx uses (RFC 9457).

No web framework here: the build raises these too; api/web/problems.py turns them into responses.
"""

import re
from dataclasses import dataclass
from http import HTTPStatus

from api.model.models import ParameterError, Problem


class ApiError(Exception):
    """An error a client caused or may see; its status and detail become a problem document."""

    status = 500

    def __init__(self, detail: str, errors: list[ParameterError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class NotFound(ApiError):
    """No record has the requested id."""

    status = 404


class Unavailable(ApiError):
    """The service cannot read its database; the detail is logged, never sent."""

    status = 503


class NotAcceptable(ApiError):
    """No representation the service has satisfies the request's Accept."""

    status = 406


class BadRequest(ApiError):
    """One or more parameters are invalid; ``errors`` names each of them."""

    status = 400

    @classmethod
    def for_parameter(cls, parameter: str, detail: str) -> "BadRequest":
        return cls(
            f"invalid parameter {parameter!r}: {detail}",
            [ParameterError(parameter=parameter, detail=detail)],
        )


def too_broad(cap: int, budget: float) -> BadRequest:
    """A search refused before ranking: it matches more than ``cap`` records, or counting them
    took more than ``budget`` seconds of CPU time; says how to narrow it."""
    detail = (
        f"too broad: matches more than {cap:,} records (or takes over {budget * 1000:.0f} ms of"
        " CPU time to count); add words, or spell out more of the last word (it matches as a"
        " prefix)"
    )
    return BadRequest.for_parameter("q", detail)


def too_many_words(matches: int, words: int, cap: int) -> BadRequest:
    """A search refused before ranking: BM25 would score each of its ``matches`` for each of
    its ``words``, more than ``cap`` scores in all."""
    detail = (
        f"too broad: {matches:,} matches scored for each of {words} words is more than {cap:,}"
        " scores; use fewer words, or rarer ones"
    )
    return BadRequest.for_parameter("q", detail)


def too_common(word: str, records: int, cap: int, prefix: bool) -> BadRequest:
    """A search refused before ranking: its words are held by more than ``cap`` records in all
    (BM25 weighs a word by reading every record that holds it); names the commonest word, which
    may be the last, a prefix (its records are those of every word it starts)."""
    held = f"words starting {word!r}" if prefix else f"{word!r} alone"
    advice = (
        "spell out more of the last word, or leave it out"
        if prefix
        else "leave out the most common words (adding words does not help)"
    )
    detail = (
        f"too broad: its words are in more than {cap:,} records in all, {held} in {records:,};"
        f" ranking weighs a word by every record that holds it, so {advice}"
    )
    return BadRequest.for_parameter("q", detail)


#: One step of a location in msgspec's form: ``.name`` or ``[index]``.
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def steps(path: str) -> list[str | int]:
    """The member names and indexes of a location in msgspec's form (``$.quotes[0].speaker``)."""
    return [int(index) if index else name for name, index in _STEP.findall(path[1:])]


def _pointer_token(step: str | int) -> str:
    return str(step).replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class Fault:
    """One thing wrong with an input: the file, where in it, what, and what to do about it.

    ``path`` is a location as msgspec writes it (``$.quotes[0].speaker``); where a file is not JSON
    at all it is the line and column where reading stopped, in a seed the byte.
    """

    file: str
    path: str
    message: str
    suggestion: str = ""

    @property
    def pointer(self) -> str:
        """``path`` as an RFC 6901 JSON pointer (``/quotes/0/speaker``); other locations as is."""
        if not self.path.startswith("$"):
            return self.path
        return "".join(f"/{_pointer_token(step)}" for step in steps(self.path))

    def line(self) -> str:
        """``file:pointer: fault — suggestion`` on one line (no dash without a suggestion)."""
        told = f" — {self.suggestion}" if self.suggestion else ""
        return f"{self.file}:{self.pointer}: {self.message}{told}".replace("\n", " ")


class BuildError(Exception):
    """Inputs that cannot be built: every fault found; ``file``, ``location`` and ``detail`` are the
    first one's."""

    def __init__(self, *faults: Fault) -> None:
        super().__init__("\n".join(f"{f.file}: {f.path}: {f.message}" for f in faults))
        self.faults = faults
        self.file, self.location, self.detail = faults[0].file, faults[0].path, faults[0].message


def problem(
    status: int, detail: str, errors: list[ParameterError] | None = None, *, request_id: str
) -> Problem:
    return Problem(
        type="about:blank",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        errors=errors or [],
        request_id=request_id,
    )
