"""Reports about a running stage from the agent that holds it: each one proves ownership,
extends the lease, and applies step states, stores log lines (idempotent by position) or
ends the stage."""

from __future__ import annotations

import time
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.rpc.reports import DoneReport, LogChunk, StepState
from conveyor.server.logstore import Chunk, append
from conveyor.server.rpc.finish import end_stage
from conveyor.server.states import DONE, Status
from conveyor.server.store.models import Stage, Step


class StageNotOwnedError(ValueError):
    """The stage is not (or no longer) the agent's: the agent must stop it (409)."""


def owned(session: Session, stage_id: int, agent: str) -> Stage:
    """The running stage `stage_id` held by `agent`, locked for this transaction."""
    query = select(Stage).where(Stage.id == stage_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    stage = session.scalar(query)
    if stage is None:
        raise StageNotOwnedError(f"stage {stage_id} does not exist")
    if stage.machine != agent:
        raise StageNotOwnedError(f"stage {stage_id} is not agent {agent}'s")
    if stage.status != Status.RUNNING:
        why = f": {stage.error}" if stage.error else ""
        raise StageNotOwnedError(f"stage {stage_id} is no longer running ({stage.status}{why})")
    return stage


def extend(stage: Stage, lease: float) -> None:
    """The agent was heard from: the lease runs `lease` seconds from now."""
    now = time.time()
    stage.contact = now
    stage.lease_until = now + lease


def _steps_by_number(session: Session, stage: Stage) -> dict[int, Step]:
    return {s.number: s for s in session.scalars(select(Step).where(Step.stage_id == stage.id))}


def apply_steps(session: Session, stage: Stage, states: tuple[StepState, ...]) -> list[int]:
    """Record step states; a step that already ended keeps its end. Returns the ids of the
    reported steps that have ended (their live readers are told)."""
    steps = _steps_by_number(session, stage)
    ended: list[int] = []
    for state in states:
        step = steps.get(state.number)
        if step is None:
            raise StageNotOwnedError(f"stage {stage.id} has no step {state.number}")
        if step.status in DONE and step.status != state.status:
            ended.append(step.id)
            continue
        if state.status.value in DONE:
            ended.append(step.id)
        step.status = state.status.value
        step.started = state.started or step.started
        step.stopped = state.finished or step.stopped
        step.exit_code = state.exit_code if state.exit_code is not None else step.exit_code
        step.error = state.error or step.error
    return ended


def store_lines(
    session: Session, stage: Stage, chunks: tuple[LogChunk, ...]
) -> dict[int, list[Chunk]]:
    """Store the lines not stored yet; returns them by step id (for live readers)."""
    steps = _steps_by_number(session, stage)
    grouped: dict[int, list[Chunk]] = defaultdict(list)
    for chunk in chunks:
        step = steps.get(chunk.step)
        if step is None:
            raise StageNotOwnedError(f"stage {stage.id} has no step {chunk.step}")
        if chunk.lines:
            grouped[step.id].append(Chunk(chunk.pos, chunk.lines, [(len(chunk.lines), chunk.time)]))
    return {step_id: append(session, step_id, batch) for step_id, batch in grouped.items()}


def step_ids(session: Session, stage: Stage) -> dict[int, int]:
    """Step number -> step id of `stage`."""
    return {number: step.id for number, step in _steps_by_number(session, stage).items()}


def finish(session: Session, stage: Stage, report: DoneReport) -> list[int]:
    """The agent's end of the stage: final step states, then the stage and its build. Returns
    the ids of the stage's steps (all ended now)."""
    apply_steps(session, stage, report.steps)
    end_stage(session, stage, Status(report.status.value), report.error)
    return list(step_ids(session, stage).values())
