"""GET /api/queue (each waiting stage and why it waits), POST /api/queue/pause and
/api/queue/resume (no stage is handed to an agent while paused). System admins only."""

from __future__ import annotations

import json

from fastapi import APIRouter

from conveyor.server.api.deps import AdminDep, Ctx
from conveyor.server.api.render import JSON
from conveyor.server.queue import paused, set_paused
from conveyor.server.store.models import Build, Repo
from conveyor.server.waiting import connected, reason, waiting_stages

router = APIRouter(tags=["queue"])


@router.get("/api/queue")
def list_queue(ctx: Ctx, _admin: AdminDep) -> list[JSON]:
    """Stages not started yet, oldest first, each with the reason it waits."""
    with ctx.tx() as session:
        is_paused = paused(session)
        agents = connected(session, ctx.settings.lease)
        answer: list[JSON] = []
        for stage in waiting_stages(session):
            build = session.get(Build, stage.build_id)
            repo = session.get(Repo, stage.repo_id)
            assert build is not None
            assert repo is not None
            answer.append(
                {
                    "repo": repo.slug,
                    "build": build.number,
                    "stage": stage.number,
                    "name": stage.name,
                    "status": stage.status,
                    "type": stage.type,
                    "platform": f"{stage.os}/{stage.arch}",
                    "labels": json.loads(stage.labels or "{}"),
                    "created": stage.created,
                    "reason": reason(session, stage, agents, is_paused=is_paused),
                }
            )
        return answer


@router.post("/api/queue/pause")
def pause_queue(ctx: Ctx, _admin: AdminDep) -> JSON:
    """Hand no new stage to any agent (running stages go on)."""
    with ctx.tx() as session:
        set_paused(session, True)
    return {"paused": True}


@router.post("/api/queue/resume")
def resume_queue(ctx: Ctx, _admin: AdminDep) -> JSON:
    """Hand stages to agents again."""
    with ctx.tx() as session:
        set_paused(session, False)
    ctx.queue_signal.notify()
    return {"paused": False}
