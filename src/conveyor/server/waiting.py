"""Why each waiting stage waits: the queue is paused, it waits for approval or for stages it
depends on, no connected agent matches its type, platform or labels, or every matching agent
is busy. Read-only; for GET /api/queue."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conveyor.rpc import DEFAULT_WAIT
from conveyor.server.queue import AgentFilter, at_limit
from conveyor.server.states import DONE, Status
from conveyor.server.store.models import Agent, Stage

WAITING = (Status.PENDING, Status.WAITING, Status.BLOCKED)


@dataclass(frozen=True, slots=True, kw_only=True)
class Available:
    """An agent heard from recently, as the queue sees it."""

    filter: AgentFilter
    capacity: int
    running: int


def connected(session: Session, lease: float) -> list[Available]:
    """Agents heard from within two long-polls plus a lease, with their running count."""
    since = time.time() - (2 * DEFAULT_WAIT + lease)
    counts = dict(
        session.execute(
            select(Stage.machine, func.count())
            .where(Stage.status == Status.RUNNING)
            .group_by(Stage.machine)
        ).all()
    )
    rows = session.scalars(select(Agent).where(Agent.contact >= since).order_by(Agent.name))
    return [
        Available(
            filter=AgentFilter(
                machine=row.name,
                os=row.os,
                arch=row.arch,
                types=frozenset(json.loads(row.types)),
                labels=json.loads(row.labels),
            ),
            capacity=row.capacity,
            running=int(counts.get(row.name, 0)),
        )
        for row in rows
    ]


def waiting_stages(session: Session) -> list[Stage]:
    """Every stage not yet started, oldest first."""
    query = select(Stage).where(Stage.status.in_([s.value for s in WAITING])).order_by(Stage.id)
    return list(session.scalars(query))


def reason(session: Session, stage: Stage, agents: list[Available], *, is_paused: bool) -> str:
    """One sentence: why `stage` is not running yet."""
    if stage.status == Status.BLOCKED:
        return "blocked: waiting for approval"
    if stage.status == Status.WAITING:
        return _dependencies(session, stage)
    if is_paused:
        return "the queue is paused (POST /api/queue/resume)"
    limit = at_limit(session, stage)
    if limit:
        return f"concurrency limit reached: {limit} of pipeline {stage.name} already running"
    if not agents:
        return "no agent is connected"
    matching = [agent for agent in agents if agent.filter.accepts(stage)]
    if not matching:
        misses = "; ".join(f"{a.filter.machine}: {a.filter.mismatch(stage)}" for a in agents[:3])
        return f"no agent with its labels or platform ({misses})"
    if all(agent.running >= agent.capacity for agent in matching):
        busy = ", ".join(f"{a.filter.machine} {a.running}/{a.capacity}" for a in matching[:3])
        return f"every matching agent is busy ({busy})"
    return "next for a free agent"


def _dependencies(session: Session, stage: Stage) -> str:
    names: list[str] = json.loads(stage.depends_on or "[]")
    rows = session.scalars(
        select(Stage).where(Stage.build_id == stage.build_id, Stage.name.in_(names))
    )
    open_ = sorted(row.name for row in rows if row.status not in DONE)
    return "waiting for stage " + ", ".join(open_ or names)
