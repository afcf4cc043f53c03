"""The error hierarchy and the one problem-details shape every 4xx/5xx uses (RFC 9457).

No web framework here: the build raises these too; api/web/problems.py turns them into responses.
"""

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
    took longer than ``budget`` seconds; says how to narrow it."""
    detail = (
        f"too broad: matches more than {cap:,} records (or takes over {budget * 1000:.0f} ms"
        " to count); add words, or spell out more of the last word (it matches as a prefix)"
    )
    return BadRequest.for_parameter("q", detail)


class BuildError(Exception):
    """A fixture or seed that cannot be built; names the file, the location and the fault."""

    def __init__(self, file: str, location: str, detail: str) -> None:
        super().__init__(f"{file}: {location}: {detail}")
        self.file = file
        self.location = location
        self.detail = detail


def problem(status: int, detail: str, errors: list[ParameterError] | None = None) -> Problem:
    return Problem(
        type="about:blank",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        errors=errors or [],
    )
