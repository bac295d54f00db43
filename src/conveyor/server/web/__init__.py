"""The web pages of `conveyor server` (a part of the `server` room): server-rendered HTML
(Jinja2) over the same store, permission and build functions as the REST API, with htmx and
Server-Sent Events for live updates. `router` holds every page; `install(app)` adds the page
error handlers and security headers."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from conveyor.server.web import account, errors, headers, signin, static

router = APIRouter(include_in_schema=False)
PAGE_ROUTERS = (static.router, signin.router, account.router)
"""Fixed paths first; the catch-all `/{owner}/{name}...` pages must come last."""
for _page_router in PAGE_ROUTERS:
    router.include_router(_page_router)

RESERVED_OWNERS = frozenset(
    {
        "api",
        "rpc",
        "hook",
        "healthz",
        "metrics",
        "static",
        "web",
        "login",
        "logout",
        "account",
        "admin",
    }
)
"""Names that are paths of the server, never a repository owner in a page path."""


def install(app: FastAPI) -> None:
    """Include the pages, render errors under page paths as pages, add security headers."""
    app.include_router(router)
    errors.install(app)
    app.add_middleware(headers.SecurityHeaders)
