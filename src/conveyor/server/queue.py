"""The queue of stages waiting for an agent, and the atomic claim of one.

A claim is a compare-and-set (`pending` -> `running`) on the stage row, so a stage is claimed
once however many agents ask at the same time: PostgreSQL picks candidates with
`FOR UPDATE SKIP LOCKED`; SQLite has a single writer (`BEGIN IMMEDIATE`, store/db.py).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from conveyor.server.states import Status
from conveyor.server.store.models import Build, Stage

CANDIDATES = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentFilter:
    """What an agent can run: platform, pipeline type and its labels."""

    machine: str
    os: str = "linux"
    arch: str = "amd64"
    type: str = "docker"
    labels: Mapping[str, str] = field(default_factory=dict)

    def accepts(self, stage: Stage) -> bool:
        """Drone's matching: kind/type, platform and every `node:` label of the stage."""
        wanted: dict[str, str] = json.loads(stage.labels or "{}")
        return (
            stage.type == self.type
            and stage.os == self.os
            and stage.arch == self.arch
            and all(self.labels.get(k) == v for k, v in wanted.items())
        )


def pending(session: Session) -> list[Stage]:
    """Every stage waiting for an agent, oldest first."""
    return list(
        session.scalars(select(Stage).where(Stage.status == Status.PENDING).order_by(Stage.id))
    )


def claim(session: Session, agent: AgentFilter) -> Stage | None:
    """Claim the oldest pending stage `agent` can run; None when there is none. The caller's
    transaction must commit for the claim to hold."""
    query = select(Stage).where(Stage.status == Status.PENDING).order_by(Stage.id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    for stage in session.scalars(query.limit(CANDIDATES)):
        if not agent.accepts(stage):
            continue
        now = int(time.time())
        won = session.execute(
            update(Stage)
            .where(Stage.id == stage.id, Stage.status == Status.PENDING)
            .values(status=Status.RUNNING, machine=agent.machine, started=now, updated=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(won, "rowcount", 0) == 1:
            session.execute(
                update(Build)
                .where(Build.id == stage.build_id, Build.status == Status.PENDING)
                .values(status=Status.RUNNING, started=now, updated=now)
            )
            session.refresh(stage)
            return stage
    return None
