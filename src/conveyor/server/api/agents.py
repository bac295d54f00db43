"""GET /api/agents (system admin): each agent's platform, labels, capacity, the stages it runs
(as the server sees them) and when it was last heard from."""

from __future__ import annotations

import json

from fastapi import APIRouter
from sqlalchemy import select

from conveyor.server.api.deps import AdminDep, Ctx
from conveyor.server.api.render import JSON
from conveyor.server.states import Status
from conveyor.server.store.models import Agent, Build, Repo, Stage

router = APIRouter(tags=["agents"])


@router.get("/api/agents")
def list_agents(ctx: Ctx, _admin: AdminDep) -> list[JSON]:
    """Every agent the server has heard from, by name."""
    with ctx.tx() as session:
        rows = session.execute(
            select(Stage, Build.number, Repo.slug)
            .join(Build, Build.id == Stage.build_id)
            .join(Repo, Repo.id == Stage.repo_id)
            .where(Stage.status == Status.RUNNING)
            .order_by(Stage.id)
        ).all()
        running: dict[str, list[JSON]] = {}
        for stage, number, slug in rows:
            running.setdefault(stage.machine, []).append(
                {"repo": slug, "build": number, "stage": stage.number, "name": stage.name}
            )
        agents = session.scalars(select(Agent).order_by(Agent.name))
        return [
            {
                "name": agent.name,
                "platform": f"{agent.os or 'any'}/{agent.arch or 'any'}",
                "labels": json.loads(agent.labels),
                "types": json.loads(agent.types),
                "capacity": agent.capacity,
                "running": running.get(agent.name, []),
                "version": agent.version,
                "last_contact": int(agent.contact),
            }
            for agent in agents
        ]
