"""`render(request, "name.html", **context)`: a page from the package's Jinja2 templates, with
the signed-in user, the CSRF token, flash messages and the navigation in its context.
`see_other` redirects after a form, carrying a flash message in a short-lived cookie."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from conveyor import __version__
from conveyor.server.web import timefmt
from conveyor.server.web.session import csrf_token, remember_anon, web_user

FLASH_COOKIE = "conveyor_flash"
NO_STORE = {"Cache-Control": "no-store"}
STREAM_CHUNK = 64 * 1024
"""Characters of a streamed page sent at once."""

ENV = Environment(
    loader=PackageLoader("conveyor.server.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
ENV.filters.update(
    reltime=timefmt.relative_time,
    isotime=timefmt.iso_time,
    exacttime=timefmt.exact_time,
    short=lambda sha: (sha or "")[:8],
)
ENV.globals.update(duration=timefmt.duration, version=__version__)


def nav_of(request: Request) -> list[dict[str, Any]]:
    """The header's links for this user, the section of the current page marked."""
    caller = web_user(request)
    if caller is None:
        return []
    links = [("/", "Repositories", "")]
    if caller.admin:
        links.append(("/admin/agents", "Admin", "/admin"))
    links.append(("/account", "Account", "/account"))
    path = request.url.path
    section = next((prefix for _, _, prefix in links if prefix and _under(path, prefix)), "")
    return [
        {"href": href, "label": label, "current": prefix == section}
        for href, label, prefix in links
    ]


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _flashes(request: Request) -> list[str]:
    raw = request.cookies.get(FLASH_COOKIE, "")
    try:
        text = base64.urlsafe_b64decode(raw.encode()).decode() if raw else ""
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return []
    return [line for line in text.split("\n") if line][:5]


def context_of(request: Request, context: dict[str, Any]) -> dict[str, Any]:
    """What every template sees, plus the page's own `context`."""
    return {
        "request": request,
        "caller": web_user(request),
        "csrf_token": csrf_token(request),
        "flashes": _flashes(request),
        "nav": nav_of(request),
        **context,
    }


def _finish(request: Request, response: Response) -> Response:
    remember_anon(request, response)
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def render(
    request: Request,
    name: str,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """The page `name` rendered as a whole."""
    html = ENV.get_template(name).render(context_of(request, context))
    response = HTMLResponse(html, status_code=status, headers=headers)
    _finish(request, response)
    return response


def render_stream(request: Request, name: str, **context: Any) -> StreamingResponse:
    """The page `name` sent as it renders (for long pages such as a big log)."""
    pieces = ENV.get_template(name).generate(context_of(request, context))
    response = StreamingResponse(_batched(pieces), media_type="text/html; charset=utf-8")
    _finish(request, response)
    return response


def _batched(pieces: Iterator[str], size: int = STREAM_CHUNK) -> Iterator[str]:
    """Template output in chunks of about `size` characters: each chunk crosses from a worker
    thread to the event loop, which costs far more than joining small strings."""
    batch: list[str] = []
    held = 0
    for piece in pieces:
        batch.append(piece)
        held += len(piece)
        if held >= size:
            yield "".join(batch)
            batch.clear()
            held = 0
    if batch:
        yield "".join(batch)


def render_fragment(name: str, **context: Any) -> str:
    """A template without the page around it (htmx fragments, SSE data)."""
    return ENV.get_template(name).render(context)


def see_other(url: str, message: str | None = None) -> RedirectResponse:
    """303 to `url` after a form; `message` is shown once on the next page."""
    response = RedirectResponse(url, status_code=303)
    if message:
        value = base64.urlsafe_b64encode(message.encode()).decode()
        response.set_cookie(FLASH_COOKIE, value, max_age=60, httponly=True, samesite="lax")
    return response


def error_page(request: Request, status: int, message: str) -> Response:
    """An error as a page: its status, the sentence, and a way back (a bare page when even
    that cannot be rendered, e.g. the database is down)."""
    try:
        return render(request, "error.html", status=status, status_code=status, message=message)
    except Exception:  # noqa: BLE001 - the error page must not fail in turn
        text = ENV.from_string("<!doctype html><title>{{ m }}</title><p>{{ m }}</p>")
        return HTMLResponse(text.render(m=message), status_code=status)
