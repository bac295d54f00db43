"""Storing a planned build: the build row, one stage per pipeline and the steps of each plan,
numbered from the repository's counter in the same transaction (two builds never share a
number). Pure database work; git and planning happen before (server/builds.py)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from conveyor.plan.model import FailurePolicy, StepKind, StepPlan
from conveyor.server.intake import Intake, StagePlanned
from conveyor.server.states import Status
from conveyor.server.store.models import Build, Repo, Stage, Step


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildFacts:
    """What a build is about, from a webhook or from the API (Drone's Build fields)."""

    event: str
    ref: str
    after: str
    trigger: str
    action: str = ""
    before: str = ""
    source: str = ""
    target: str = ""
    message: str = ""
    title: str = ""
    link: str = ""
    timestamp: int = 0
    author_login: str = ""
    author_name: str = ""
    author_email: str = ""
    author_avatar: str = ""
    sender: str = ""
    parent: int = 0
    params: dict[str, str] = field(default_factory=dict)


def next_number(session: Session, repo: Repo) -> int:
    """Reserve the repository's next build number (the row is locked until commit)."""
    repo.counter += 1
    session.flush()
    return repo.counter


def store_build(
    session: Session, repo: Repo, number: int, facts: BuildFacts, intake: Intake, *, block: bool
) -> Build:
    """Insert the build with its stages and steps; `block` holds runnable stages for approval."""
    now = int(time.time())
    build = Build(
        repo_id=repo.id,
        number=number,
        status=_build_status(intake, block),
        error=_text(intake.error or ""),
        params=json.dumps(facts.params, sort_keys=True),
        created=now,
        updated=now,
        **{k: _text(getattr(facts, k)) for k in _FACT_FIELDS},
    )
    if build.status in {Status.FAILURE, Status.SKIPPED}:
        build.started = build.finished = now
    session.add(build)
    session.flush()
    for planned in intake.stages:
        _store_stage(session, build, planned, now, block=block)
    return build


_FACT_FIELDS = (
    "event",
    "action",
    "ref",
    "after",
    "before",
    "source",
    "target",
    "message",
    "title",
    "link",
    "timestamp",
    "author_login",
    "author_name",
    "author_email",
    "author_avatar",
    "sender",
    "parent",
    "trigger",
)


def _text(value: object) -> object:
    """Strings without NUL (PostgreSQL cannot store it; a webhook may carry one)."""
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


def _build_status(intake: Intake, block: bool) -> Status:
    if intake.error is not None:
        return Status.FAILURE
    if all(stage.status.value == Status.SKIPPED for stage in intake.stages):
        return Status.SKIPPED
    return Status.BLOCKED if block else Status.PENDING


def _store_stage(
    session: Session, build: Build, planned: StagePlanned, now: int, *, block: bool
) -> None:
    status = Status(planned.status.value)
    if block and status != Status.SKIPPED:
        status = Status.BLOCKED
    plan = planned.plan
    registry = () if plan is None else plan.registry_secrets
    steps: list[StepPlan] = [] if plan is None else list(plan.steps)
    stage = Stage(
        repo_id=build.repo_id,
        build_id=build.id,
        number=planned.number,
        name=planned.name,
        kind=planned.kind,
        type=planned.type,
        status=status.value,
        error=planned.skip_reason or "",
        os=planned.os,
        arch=planned.arch,
        variant=planned.variant,
        limit=planned.limit,
        on_success=planned.on_success,
        on_failure=planned.on_failure,
        depends_on=json.dumps(list(planned.depends_on)),
        labels=json.dumps(dict(planned.labels), sort_keys=True),
        plan_json=planned.plan_json,
        secret_names=json.dumps(sorted(planned.secret_names)),
        registry_secrets=json.dumps(list(registry)),
        clone_json=json.dumps(planned.clone.to_data(), sort_keys=True),
        created=now,
        updated=now,
    )
    session.add(stage)
    session.flush()
    cloned = plan is not None and not planned.clone.disable
    if cloned:
        session.add(Step(stage_id=stage.id, number=1, name=CLONE_STEP, status=_first_status(stage)))
    _store_steps(session, stage, steps, first=2 if cloned else 1)


CLONE_STEP = "clone"
"""The agent's checkout of the commit: step 1 of a stage unless `clone: disable: true`."""


def _first_status(stage: Stage) -> str:
    return (Status.SKIPPED if stage.status == Status.SKIPPED else Status.PENDING).value


def _store_steps(session: Session, stage: Stage, steps: list[StepPlan], *, first: int) -> None:
    """The plan's services and steps, in plan order; skipped with the stage or by `when`."""
    for number, step in enumerate(steps, start=first):
        skipped = stage.status == Status.SKIPPED or step.skip_reason is not None
        session.add(
            Step(
                stage_id=stage.id,
                number=number,
                name=step.name,
                status=(Status.SKIPPED if skipped else Status.PENDING).value,
                errignore=step.failure_policy is FailurePolicy.IGNORE,
                image=step.image,
                detached=step.detach or step.kind == StepKind.SERVICE,
                depends_on=json.dumps(list(step.depends_on)),
            )
        )
