"""API errors as Drone sends them, `{"message": "..."}`: 400 names the field, never a traceback.

Pydantic's validation errors become one sentence naming the first bad field; unknown fields
are refused; any unexpected exception is a 500 with a fixed message (details go to the log,
without values).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("conveyor.server")


class ApiError(Exception):
    """An answer other than success: HTTP status and one sentence for the caller."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def not_found(what: str) -> ApiError:
    """404 with `what` named (`repository not found`)."""
    return ApiError(404, f"{what} not found")


def forbidden(message: str = "you may not do this") -> ApiError:
    """403: the caller is known but lacks the permission."""
    return ApiError(403, message)


def bad_request(message: str) -> ApiError:
    """400 with a message that names the field."""
    return ApiError(400, message)


def error_response(status: int, message: str) -> JSONResponse:
    """The JSON body every error has."""
    return JSONResponse({"message": message}, status_code=status)


def describe_validation(errors: Sequence[Any]) -> str:
    """The first validation problem as `field NAME: what is wrong`."""
    if not errors:
        return "the request is not valid"
    first = errors[0]
    where = [str(part) for part in first.get("loc", ()) if part not in {"body", "query", "path"}]
    kind = first.get("type", "")
    if kind == "json_invalid":
        return "the body is not valid JSON"
    if kind == "model_attributes_type" or (not where and kind in {"dict_type", "model_type"}):
        return "the body must be a JSON object"
    field = ".".join(where) or "body"
    if kind == "extra_forbidden":
        return f"field {field}: unknown field"
    if kind == "missing":
        return f"field {field}: required"
    return f"field {field}: {first.get('msg', 'invalid value')}"


def install(app: FastAPI) -> None:
    """Register the handlers that give every error its `{"message"}` body."""

    async def api_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.message)

    async def validation(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return error_response(400, describe_validation(exc.errors()))

    async def http_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        message = {404: "not found", 405: "method not allowed"}.get(exc.status_code)
        return error_response(exc.status_code, message or str(exc.detail))

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error(
            "unexpected error in %s %s: %s", request.method, request.url.path, type(exc).__name__
        )
        return error_response(500, "internal server error")

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
