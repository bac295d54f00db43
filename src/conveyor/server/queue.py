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

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from conveyor.server.states import Status
from conveyor.server.store.models import Build, Meta, Repo, Stage

CANDIDATES = 50
PAUSED = "queue_paused"
"""The `meta` key whose presence pauses the queue (agents get no new stage)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentFilter:
    """What an agent can run: pipeline types, platform (empty: any) and its labels."""

    machine: str
    os: str = ""
    arch: str = ""
    types: frozenset[str] = frozenset({"docker"})
    labels: Mapping[str, str] = field(default_factory=dict)

    def accepts(self, stage: Stage) -> bool:
        """Drone's matching: type, platform and every `node:` label of the stage."""
        return not self.mismatch(stage)

    def mismatch(self, stage: Stage) -> str:
        """Why this agent cannot run `stage` (empty when it can)."""
        wanted: dict[str, str] = json.loads(stage.labels or "{}")
        if stage.type not in self.types:
            return f"type {stage.type}"
        if (self.os and stage.os != self.os) or (self.arch and stage.arch != self.arch):
            return f"platform {stage.os}/{stage.arch}"
        missing = sorted(k for k, v in wanted.items() if self.labels.get(k) != v)
        return f"labels {', '.join(f'{k}={wanted[k]}' for k in missing)}" if missing else ""


def paused(session: Session) -> bool:
    """Whether a system admin paused the queue."""
    return session.get(Meta, PAUSED) is not None


def set_paused(session: Session, value: bool) -> None:
    """Pause (no stage is handed out) or resume the queue; kept across restarts."""
    row = session.get(Meta, PAUSED)
    if value and row is None:
        session.add(Meta(key=PAUSED, value=b"1"))
    elif not value and row is not None:
        session.delete(row)


def pending(session: Session) -> list[Stage]:
    """Every stage waiting for an agent, oldest first."""
    return list(
        session.scalars(select(Stage).where(Stage.status == Status.PENDING).order_by(Stage.id))
    )


def at_limit(session: Session, stage: Stage, *, lock: bool = False) -> int:
    """The stage's `concurrency: limit` when that many stages of its pipeline (same repository,
    same name) already run, else 0. With `lock`, claims of such stages of one repository take
    turns on PostgreSQL (the repository row is locked until commit)."""
    if stage.limit <= 0:
        return 0
    if lock and session.get_bind().dialect.name == "postgresql":
        session.execute(select(Repo.id).where(Repo.id == stage.repo_id).with_for_update())
    running = session.scalar(
        select(func.count())
        .select_from(Stage)
        .where(
            Stage.repo_id == stage.repo_id,
            Stage.name == stage.name,
            Stage.status == Status.RUNNING,
        )
    )
    return stage.limit if (running or 0) >= stage.limit else 0


def claim(session: Session, agent: AgentFilter, *, lease: float = 30.0) -> Stage | None:
    """Claim the oldest pending stage `agent` can run, leased for `lease` seconds; None when
    there is none. The caller's transaction must commit for the claim to hold."""
    query = select(Stage).where(Stage.status == Status.PENDING).order_by(Stage.id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    for stage in session.scalars(query.limit(CANDIDATES)):
        if not agent.accepts(stage) or at_limit(session, stage, lock=True):
            continue
        clock = time.time()
        now = int(clock)
        won = session.execute(
            update(Stage)
            .where(Stage.id == stage.id, Stage.status == Status.PENDING)
            .values(
                status=Status.RUNNING,
                machine=agent.machine,
                started=now,
                updated=now,
                contact=clock,
                lease_until=clock + lease,
            )
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
