"""What follows a stage's end: its unfinished steps end with it, stages that waited for it run
or are skipped (Drone's `trigger: status` rule), and the build ends with its last stage."""

from __future__ import annotations

import json
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.server.states import DONE, Status, cut_short
from conveyor.server.store.models import Build, Stage, Step

FAILED = frozenset({Status.FAILURE, Status.ERROR, Status.KILLED})


def end_stage(session: Session, stage: Stage, status: Status, error: str = "") -> None:
    """Mark `stage` ended with `status`; its unfinished steps take `status` too (a step that
    never started is `skipped`), then settle its build."""
    build = locked_build(session, stage.build_id)
    now = int(time.time())
    stage.status = status.value
    stage.error = error
    stage.stopped = stage.updated = now
    stage.lease_until = 0.0
    for step in session.scalars(select(Step).where(Step.stage_id == stage.id)):
        if step.status not in DONE:
            started = step.status == Status.RUNNING
            step.status = cut_short(step.status, status).value
            step.stopped = now
            if started and status == Status.ERROR:
                step.error = error
    settle(session, build)


def locked_build(session: Session, build_id: int) -> Build:
    """The build, locked until commit on PostgreSQL: two stages ending at once settle it one
    after the other, so the second sees the first's end (SQLite has one writer anyway)."""
    query = select(Build).where(Build.id == build_id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    build = session.scalar(query)
    assert build is not None
    return build


def settle(session: Session, build: Build) -> None:
    """Release stages whose dependencies ended, and end the build when every stage has."""
    query = select(Stage).where(Stage.build_id == build.id).order_by(Stage.number)
    stages = list(session.scalars(query.execution_options(populate_existing=True)))
    by_name = {stage.name: stage for stage in stages}
    changed = True
    while changed:
        changed = False
        for stage in stages:
            if stage.status == Status.WAITING and _release(session, stage, by_name):
                changed = True
    statuses = {Status(stage.status) for stage in stages}
    if statuses and statuses <= DONE and build.status not in DONE:
        build.status = _build_status(statuses).value
        build.finished = build.updated = int(time.time())


def _release(session: Session, stage: Stage, by_name: dict[str, Stage]) -> bool:
    """Queue or skip a waiting stage whose dependencies all ended; False while one runs."""
    needs = [by_name[name] for name in json.loads(stage.depends_on) if name in by_name]
    if any(Status(need.status) not in DONE for need in needs):
        return False
    failed = any(Status(need.status) in FAILED for need in needs)
    runs = stage.on_failure if failed else stage.on_success
    stage.status = (Status.PENDING if runs else Status.SKIPPED).value
    stage.updated = int(time.time())
    if not runs:
        stage.stopped = stage.updated
        stage.error = "skipped: a stage it depends on " + ("failed" if failed else "succeeded")
        for step in session.scalars(select(Step).where(Step.stage_id == stage.id)):
            step.status = Status.SKIPPED.value
    return True


def _build_status(statuses: set[Status]) -> Status:
    for status in (Status.KILLED, Status.ERROR, Status.FAILURE):
        if status in statuses:
            return status
    if statuses <= {Status.SKIPPED}:
        return Status.SKIPPED
    if Status.DECLINED in statuses and not statuses & {Status.SUCCESS}:
        return Status.DECLINED
    return Status.SUCCESS
