"""GET /api/agents (system admin): each agent's platform, labels, capacity, the stages it runs
(as the server sees them) and when it was last heard from."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from conveyor.server.admin_views import agent_views
from conveyor.server.api.deps import AdminDep, Ctx
from conveyor.server.api.render import JSON

router = APIRouter(tags=["agents"])


@router.get("/api/agents")
def list_agents(ctx: Ctx, _admin: AdminDep) -> list[JSON]:
    """Every agent the server has heard from, by name."""
    with ctx.tx() as session:
        return [asdict(agent) for agent in agent_views(session)]
