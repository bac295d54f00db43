"""`create_app(settings)`: the FastAPI application of `conveyor server`, with its routers,
error handlers, body limits, access log and metrics. Used by the CLI and by in-process tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from conveyor import __version__
from conveyor.server.api import (
    agents,
    builds,
    collaborators,
    errors,
    hook,
    logs,
    queue,
    repos,
    secrets,
    stream,
    system,
    users,
)
from conveyor.server.context import AppContext
from conveyor.server.metrics import Metrics
from conveyor.server.middleware import AccessLog, BodyLimit
from conveyor.server.rpc import routes as rpc_routes
from conveyor.server.rpc.reaper import run_reaper
from conveyor.server.settings import Settings
from conveyor.server.startup import ServerState, open_state
from conveyor.server.web import install as install_web

ROUTERS = (
    users,
    repos,
    collaborators,
    secrets,
    builds,
    logs,
    agents,
    queue,
    stream,
    hook,
    system,
)
"""The REST API's routers (described in /api/openapi.json); /rpc is the agents' protocol."""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Background work while the server runs: the lease reaper."""
    reaper = asyncio.create_task(run_reaper(app.state.conveyor))
    try:
        yield
    finally:
        reaper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reaper


def create_app(settings: Settings, state: ServerState | None = None) -> FastAPI:
    """The application; opens the state (migrations, key check, users) unless given one."""
    state = state or open_state(settings)
    metrics = Metrics(state.readers)
    app = FastAPI(
        title="Conveyor",
        version=__version__,
        description="Drone-compatible REST API of the Conveyor CI server.",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.conveyor = AppContext(settings=settings, state=state, metrics=metrics)
    errors.install(app)
    for module in ROUTERS:
        app.include_router(module.router)
    app.include_router(rpc_routes.router)
    install_web(app)  # the pages come last: their `/{owner}/{name}` paths catch the rest
    app.add_middleware(BodyLimit, limit=settings.max_body, hook_limit=settings.max_hook_body)
    app.add_middleware(AccessLog, observe=metrics.observe)
    return app
