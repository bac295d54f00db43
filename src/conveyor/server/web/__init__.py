"""The web pages of `conveyor server` (a part of the `server` room): server-rendered HTML
(Jinja2) over the same store, permission and build functions as the REST API, with htmx and
Server-Sent Events for live updates. `router` holds every page; `install(app)` adds the page
error handlers and security headers."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from conveyor.server.web import (
    account,
    admin_pages,
    build_actions,
    build_page,
    errors,
    headers,
    live,
    repos,
    secret_pages,
    settings_pages,
    signin,
    static,
    user_pages,
)
from conveyor.server.web.lookup import RESERVED_OWNERS

router = APIRouter(include_in_schema=False)
PAGE_ROUTERS = (
    static.router,
    signin.router,
    account.router,
    live.router,
    admin_pages.router,
    user_pages.router,
    settings_pages.router,
    secret_pages.router,
)
"""Pages at fixed paths (`/login`, `/admin/...`, `/web/...`) and the settings pages
(`/{owner}/{name}/settings...`): matched first."""
REPO_ROUTERS = (repos.router, build_page.router, build_actions.router)
"""Pages under `/{owner}/{name}`: matched last, so they never take a fixed path."""
for _page_router in (*PAGE_ROUTERS, *REPO_ROUTERS):
    router.include_router(_page_router)

__all__ = ["RESERVED_OWNERS", "install", "router"]


def install(app: FastAPI) -> None:
    """Include the pages, render errors under page paths as pages, add security headers."""
    app.include_router(router)
    errors.install(app)
    app.add_middleware(headers.SecurityHeaders)
