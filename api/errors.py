"""The error hierarchy and the one problem-details shape every 4xx/5xx uses (RFC 9457)."""

import logging
import re
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from api.models import ParameterError, Problem

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("api")


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


def problem_response(body: Problem, headers: dict[str, str] | None = None) -> Response[bytes]:
    return Response(
        content=msgspec.json.encode(body),
        status_code=body.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


_MISSING = re.compile(r"^Missing required \w+ parameter '([^']+)'")


def _validation_errors(exc: ValidationException) -> list[ParameterError]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    missing = _MISSING.match(exc.detail)
    if missing:
        return [ParameterError(parameter=missing.group(1), detail="required")]
    return [
        ParameterError(parameter=str(item.get("key", "")), detail=str(item.get("message", "")))
        for item in extra
        if isinstance(item, dict)
    ]


def handle_api_error(_: Request[Any, Any, Any], exc: ApiError) -> Response[bytes]:
    return problem_response(problem(exc.status, exc.detail, exc.errors))


def handle_unavailable(request: Request[Any, Any, Any], exc: Unavailable) -> Response[bytes]:
    log.error("not ready on %s: %s", request.url.path, exc.detail)
    detail = "the service cannot read its database; see the server log"
    return problem_response(problem(exc.status, detail), {"Retry-After": "5"})


def handle_http_exception(_: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    if isinstance(exc, ValidationException):
        errors = _validation_errors(exc)
        names = ", ".join(repr(error.parameter) for error in errors)
        return problem_response(problem(400, f"invalid parameter {names}", errors))
    headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() == "allow"}
    return problem_response(problem(exc.status_code, _public_detail(exc)), headers)


def _public_detail(exc: HTTPException) -> str:
    if exc.status_code == 404:
        return "no resource at this path"
    if exc.status_code == 405:
        return "method not allowed; see the Allow header"
    return HTTPStatus(exc.status_code).description


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(problem(500, "the server failed to answer; the error was logged"))


EXCEPTION_HANDLERS = {
    Unavailable: handle_unavailable,
    ApiError: handle_api_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
