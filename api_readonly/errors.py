"""One JSON error shape for every failure, and the handlers that produce it.

Responses never carry stack traces, SQL or driver messages: unexpected failures become a generic 500
(the detail goes to the server log), database outages a 503.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import TransientError

log = logging.getLogger("capitallens.api")


class ErrorOut(BaseModel):
    """The body of every error response."""

    status: int
    error: str  # machine-readable kind: invalid_parameter, not_found, unauthorized, ...
    message: str  # says which parameter is wrong and why
    parameter: str | None = None


class ApiError(Exception):
    """An error with an HTTP status, raised by routers and queries."""

    status = 400
    kind = "bad_request"

    def __init__(self, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter


class InvalidParameter(ApiError):
    """A query or path parameter is malformed or names something that does not exist (422)."""

    status = 422
    kind = "invalid_parameter"


class NotFound(ApiError):
    """The model (or cell) asked for does not exist (404)."""

    status = 404
    kind = "not_found"


def error_response(status: int, kind: str, message: str, parameter: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSONResponse in the ErrorOut shape."""
    body = ErrorOut(status=status, error=kind, message=message, parameter=parameter)
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Missing or wrong X-API-Key (when keys are configured)"},
    404: {"model": ErrorOut, "description": "Unknown model id or no cell at that address"},
    422: {"model": ErrorOut, "description": "A parameter is malformed or names an unknown sheet"},
    503: {"model": ErrorOut, "description": "The database is unreachable"},
}

_KIND_BY_STATUS = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed"}


def _describe_validation_error(error: dict[str, Any]) -> tuple[str | None, str]:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "header")]
    parameter = loc[0] if loc else None
    reason = str(error.get("msg", "invalid value"))
    if error.get("type") == "missing":
        reason = "is required"
    return parameter, f"{parameter or 'request'}: {reason}"


async def _on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    parameter, message = _describe_validation_error(errors[0]) if errors else (None, "invalid request")
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return error_response(422, "invalid_parameter", message, parameter)


async def _on_api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.kind, exc.message, exc.parameter)


async def _on_http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    kind = _KIND_BY_STATUS.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else kind.replace("_", " ")
    return error_response(exc.status_code, kind, message, headers=getattr(exc, "headers", None))


async def _on_transient(_request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", exc)
    return error_response(503, "unavailable", "the database is unavailable; try again shortly")


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "internal server error")


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every exception into the ErrorOut shape."""
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(TransientError, _on_transient)
    app.add_exception_handler(Exception, _on_unexpected)
