"""GET /api/queue (each waiting stage and why it waits), POST /api/queue/pause and
/api/queue/resume (no stage is handed to an agent while paused). System admins only."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from conveyor.server.admin_views import set_queue_paused, waiting_views
from conveyor.server.api.deps import AdminDep, Ctx
from conveyor.server.api.render import JSON

router = APIRouter(tags=["queue"])


@router.get("/api/queue")
def list_queue(ctx: Ctx, _admin: AdminDep) -> list[JSON]:
    """Stages not started yet, oldest first, each with the reason it waits."""
    with ctx.tx() as session:
        return [asdict(stage) for stage in waiting_views(session, ctx.settings.lease)]


@router.post("/api/queue/pause")
def pause_queue(ctx: Ctx, _admin: AdminDep) -> JSON:
    """Hand no new stage to any agent (running stages go on)."""
    set_queue_paused(ctx, True)
    return {"paused": True}


@router.post("/api/queue/resume")
def resume_queue(ctx: Ctx, _admin: AdminDep) -> JSON:
    """Hand stages to agents again."""
    set_queue_paused(ctx, False)
    return {"paused": False}
