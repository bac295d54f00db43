"""What a system admin sees of the machinery: each agent with the stages it runs, each waiting
stage with its build and the reason it waits, and pausing the queue. Shared by /api/agents,
/api/queue and the admin web pages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.server.context import AppContext
from conveyor.server.queue import paused, set_paused
from conveyor.server.states import Status
from conveyor.server.store.models import Agent, Build, Repo, Stage
from conveyor.server.waiting import connected, reason, waiting_stages


@dataclass(frozen=True, slots=True, kw_only=True)
class RunningStage:
    """A stage an agent runs, as the server sees it."""

    repo: str
    build: int
    stage: int
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentView:
    """One agent as it last described itself."""

    name: str
    platform: str
    labels: dict[str, Any]
    types: list[str]
    capacity: int
    running: list[RunningStage]
    version: str
    last_contact: int


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitingStage:
    """A stage not started yet and why."""

    repo: str
    build: int
    stage: int
    name: str
    status: str
    type: str
    platform: str
    labels: dict[str, Any]
    created: int
    reason: str


def agent_views(session: Session) -> list[AgentView]:
    """Every agent the server has heard from, by name, with its running stages."""
    rows = session.execute(
        select(Stage, Build.number, Repo.slug)
        .join(Build, Build.id == Stage.build_id)
        .join(Repo, Repo.id == Stage.repo_id)
        .where(Stage.status == Status.RUNNING)
        .order_by(Stage.id)
    ).all()
    running: dict[str, list[RunningStage]] = {}
    for stage, number, slug in rows:
        running.setdefault(stage.machine, []).append(
            RunningStage(repo=slug, build=number, stage=stage.number, name=stage.name)
        )
    return [
        AgentView(
            name=agent.name,
            platform=f"{agent.os or 'any'}/{agent.arch or 'any'}",
            labels=json.loads(agent.labels),
            types=json.loads(agent.types),
            capacity=agent.capacity,
            running=running.get(agent.name, []),
            version=agent.version,
            last_contact=int(agent.contact),
        )
        for agent in session.scalars(select(Agent).order_by(Agent.name))
    ]


def waiting_views(session: Session, lease: float) -> list[WaitingStage]:
    """Stages not started yet, oldest first, each with the reason it waits."""
    is_paused = paused(session)
    agents = connected(session, lease)
    answer: list[WaitingStage] = []
    for stage in waiting_stages(session):
        build = session.get(Build, stage.build_id)
        repo = session.get(Repo, stage.repo_id)
        assert build is not None
        assert repo is not None
        answer.append(
            WaitingStage(
                repo=repo.slug,
                build=build.number,
                stage=stage.number,
                name=stage.name,
                status=stage.status,
                type=stage.type,
                platform=f"{stage.os}/{stage.arch}",
                labels=json.loads(stage.labels or "{}"),
                created=stage.created,
                reason=reason(session, stage, agents, is_paused=is_paused),
            )
        )
    return answer


def set_queue_paused(ctx: AppContext, value: bool) -> None:
    """Pause (no stage is handed to an agent; running ones go on) or resume the queue."""
    with ctx.tx() as session:
        set_paused(session, value)
    if not value:
        ctx.queue_signal.notify()
