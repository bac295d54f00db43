"""Changing a build that exists: cancel (what runs is killed, what never started is skipped),
approve or decline a blocked stage. Raises ControlError (409) when the build is not in a state
for it."""

from __future__ import annotations

import json
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.server.states import DONE, Status, cut_short
from conveyor.server.store.models import Build, Stage, Step


class ControlError(ValueError):
    """The build or stage is not in a state that allows the request."""


def stages_of(session: Session, build: Build) -> list[Stage]:
    """The build's stages in order."""
    return list(
        session.scalars(select(Stage).where(Stage.build_id == build.id).order_by(Stage.number))
    )


def cancel(session: Session, build: Build) -> None:
    """Kill the build: stages that never started and their steps become `skipped` (Drone's
    rule, `cut_short`); running stages are flagged so that their agent's next heartbeat stops
    them (the agent then reports them `killed`, and the build ends with them)."""
    if build.status in DONE:
        raise ControlError(f"build {build.number} is already finished ({build.status})")
    now = int(time.time())
    running = False
    for stage in stages_of(session, build):
        if stage.status == Status.RUNNING:
            stage.cancel = running = True
            stage.updated = now
        elif stage.status not in DONE:
            stage.status = cut_short(stage.status, Status.KILLED)
            stage.stopped = now
            stage.updated = now
            for step in session.scalars(select(Step).where(Step.stage_id == stage.id)):
                if step.status not in DONE:
                    step.status = cut_short(step.status, Status.KILLED)
                    step.stopped = now
    if not running:
        build.status = Status.KILLED
        build.finished = now
    build.updated = now


def _blocked(session: Session, build: Build, number: int) -> Stage:
    stage = session.scalar(select(Stage).where(Stage.build_id == build.id, Stage.number == number))
    if stage is None:
        raise LookupError("stage")
    if stage.status != Status.BLOCKED:
        raise ControlError(f"stage {number} is not blocked ({stage.status})")
    return stage


def approve(session: Session, build: Build, number: int) -> None:
    """Let a blocked stage run: it queues (or waits for the stages it depends on)."""
    stage = _blocked(session, build, number)
    stage.status = Status.WAITING if json.loads(stage.depends_on) else Status.PENDING
    stage.updated = int(time.time())
    _settle(session, build)


def decline(session: Session, build: Build, number: int) -> None:
    """Refuse a blocked stage: it is `declined`, and so is the build when nothing else runs."""
    stage = _blocked(session, build, number)
    stage.status = Status.DECLINED
    stage.stopped = stage.updated = int(time.time())
    _settle(session, build)


def _settle(session: Session, build: Build) -> None:
    statuses = {stage.status for stage in stages_of(session, build)}
    if Status.BLOCKED in statuses:
        return
    if statuses <= DONE:
        build.status = Status.DECLINED if Status.DECLINED in statuses else build.status
        build.finished = int(time.time())
    else:
        build.status = Status.PENDING
    build.updated = int(time.time())
