"""System admin pages: /admin/agents (labels, capacity, running stages, last contact) and
/admin/queue (each waiting stage with the reason it waits; pause and resume). The same views
as GET /api/agents and GET /api/queue."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from conveyor.server.admin_views import agent_views, set_queue_paused, waiting_views
from conveyor.server.api.deps import Ctx
from conveyor.server.queue import paused
from conveyor.server.web.page_support import CheckedForm
from conveyor.server.web.session import AdminUserDep
from conveyor.server.web.templating import render, see_other

router = APIRouter(include_in_schema=False)


@router.get("/admin/agents")
def agents_page(request: Request, ctx: Ctx, _admin: AdminUserDep) -> Response:
    """Every agent the server has heard from."""
    with ctx.read() as session:
        agents = agent_views(session)
    return render(request, "admin/agents.html", agents=agents)


@router.get("/admin/queue")
def queue_page(request: Request, ctx: Ctx, _admin: AdminUserDep) -> Response:
    """The waiting stages, oldest first, and whether the queue is paused."""
    with ctx.read() as session:
        stages = waiting_views(session, ctx.settings.lease)
        is_paused = paused(session)
    return render(request, "admin/queue.html", stages=stages, paused=is_paused)


@router.post("/admin/queue/pause")
def pause_form(request: Request, ctx: Ctx, _admin: AdminUserDep, form: CheckedForm) -> Response:
    """Stop handing stages to agents."""
    del form  # read for its CSRF check
    set_queue_paused(ctx, True)
    return see_other("/admin/queue", "The queue is paused.")


@router.post("/admin/queue/resume")
def resume_form(request: Request, ctx: Ctx, _admin: AdminUserDep, form: CheckedForm) -> Response:
    """Hand stages to agents again."""
    del form
    set_queue_paused(ctx, False)
    return see_other("/admin/queue", "The queue is running again.")
