"""Errors of the web pages: `WebError` (a status and one sentence, shown as an HTML page),
`NotSignedInError` (a redirect to the sign-in page), and the handlers that render API errors as
pages, not JSON, when they happen under a page path."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from conveyor.server.api.errors import ApiError

API_PREFIXES = ("/api/", "/api", "/rpc", "/hook", "/healthz", "/metrics")
"""Paths that answer JSON (or text); everything else is a page."""

Handler = Callable[[Request, Exception], Awaitable[Response]]


class WebError(Exception):
    """A page that cannot be shown: its status and one sentence for the person."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class NotSignedInError(Exception):
    """The page needs a signed-in user; `next` is where to come back to."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def is_page(path: str) -> bool:
    """Whether `path` belongs to the web pages (not the API, agents or webhooks)."""
    return not any(path == p or path.startswith(p + "/") for p in API_PREFIXES)


def login_redirect(next_path: str) -> RedirectResponse:
    """303 to the sign-in page, coming back to `next_path` afterwards."""
    return RedirectResponse(f"/login?next={quote(next_path, safe='/')}", status_code=303)


def _message(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, WebError | ApiError):
        return exc.status, exc.message
    if isinstance(exc, RequestValidationError):
        return 404, "page not found"  # a malformed path or query parameter of a page
    if isinstance(exc, StarletteHTTPException):
        text = {404: "page not found", 405: "method not allowed"}.get(exc.status_code)
        return exc.status_code, text or str(exc.detail)
    return 500, "something went wrong on the server; the log has the details"


def install(app: FastAPI) -> None:
    """Render errors under page paths as HTML pages; the API keeps its JSON handlers."""
    from conveyor.server.web.templating import error_page

    json_handlers: dict[type[Exception], Handler] = {
        kind: cast(Handler, app.exception_handlers[kind])
        for kind in (ApiError, RequestValidationError, StarletteHTTPException, Exception)
        if kind in app.exception_handlers
    }

    def handler_for(kind: type[Exception]) -> Handler:
        async def handle(request: Request, exc: Exception) -> Response:
            if isinstance(exc, NotSignedInError):
                return login_redirect(exc.next_path)
            fallback = json_handlers.get(kind)
            if is_page(request.url.path) or fallback is None:
                if kind is Exception and fallback is not None:
                    await fallback(request, exc)  # logs it, without values
                status, message = _message(exc)
                return error_page(request, status, message)
            return await fallback(request, exc)

        return handle

    for kind in (WebError, NotSignedInError, *json_handlers):
        app.add_exception_handler(kind, handler_for(kind))
