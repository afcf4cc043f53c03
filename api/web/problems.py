"""Every error as the one problem document: the exception handlers of the application."""

import logging
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from api.model.errors import ApiError, Unavailable, problem
from api.model.models import ParameterError
from api.web.access import REQUEST_ID

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("api")
#: The answer to a failure of the service itself; what failed is logged, never sent.
FAILURE = "the server failed to answer; the error was logged"


def problem_response(
    status: int,
    detail: str,
    errors: list[ParameterError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    """The problem document of the request being answered, with its request id."""
    body = problem(status, detail, errors, request_id=REQUEST_ID.get())
    return Response(
        content=msgspec.json.encode(body),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _validation_errors(exc: ValidationException) -> list[ParameterError]:
    """Litestar's failures, by the key each names (a missing query parameter never gets here:
    the query guard names it first)."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    return [
        ParameterError(parameter=str(item.get("key", "")), detail=str(item.get("message", "")))
        for item in extra
        if isinstance(item, dict)
    ]


def handle_api_error(_: Request[Any, Any, Any], exc: ApiError) -> Response[bytes]:
    return problem_response(exc.status, exc.detail, exc.errors)


def handle_unavailable(request: Request[Any, Any, Any], exc: Unavailable) -> Response[bytes]:
    log.error("not ready on %s: %s", request.url.path, exc.detail)
    detail = "the service cannot read its database; see the server log"
    return problem_response(exc.status, detail, headers={"Retry-After": "5"})


def handle_http_exception(_: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    if isinstance(exc, ValidationException):
        errors = _validation_errors(exc)
        names = ", ".join(repr(error.parameter) for error in errors)
        return problem_response(400, f"invalid parameter {names}", errors)
    headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() == "allow"}
    return problem_response(exc.status_code, _public_detail(exc), headers=headers)


def _public_detail(exc: HTTPException) -> str:
    if exc.status_code == 404:
        return "no resource at this path"
    if exc.status_code == 405:
        return "method not allowed; see the Allow header"
    return HTTPStatus(exc.status_code).description


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(500, FAILURE)


EXCEPTION_HANDLERS = {
    Unavailable: handle_unavailable,
    ApiError: handle_api_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
