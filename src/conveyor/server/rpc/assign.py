"""The `Assignment` of a claimed stage: repository, build, steps, clone options and the job
(runner/job_codec.py's dict: the plan, only the secrets the plan names after the pull-request
rule, the build values, limits). The job holds secret values: it leaves only in the answer."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.compiler.context import build_values
from conveyor.rpc.assignment import Assignment, BuildRef, CloneOptions, RepoRef, StepRef
from conveyor.server.build_store import BuildFacts
from conveyor.server.builds import RepoView, build_input
from conveyor.server.crypto import Cipher
from conveyor.server.intake.stages import context_of
from conveyor.server.stage_secrets import secrets_for_stage
from conveyor.server.store.models import Build, Repo, Stage, Step

PARALLEL = 4


def assignment_of(session: Session, cipher: Cipher, stage: Stage, lease: float) -> Assignment:
    """What the agent that claimed `stage` receives; SecretValueError for a bad registry secret."""
    build = session.get(Build, stage.build_id)
    repo = session.get(Repo, stage.repo_id)
    assert build is not None
    assert repo is not None
    steps = session.scalars(select(Step).where(Step.stage_id == stage.id).order_by(Step.number))
    secrets = secrets_for_stage(session, cipher, stage)
    job: dict[str, object] = {
        "plan": json.loads(stage.plan_json or "{}"),
        "secrets": secrets,
        "pull_request_secrets": sorted(secrets),
        "build": _build_values(repo, build),
        "limits": {"run_timeout": float(repo.timeout * 60), "step_timeout": None},
        "parallel": PARALLEL,
    }
    return Assignment(
        stage_id=stage.id,
        build_id=build.id,
        repo=RepoRef(slug=repo.slug, git_http_url=repo.git_http_url),
        build=BuildRef(
            number=build.number,
            event=build.event,
            ref=build.ref,
            branch=build.target or build.source,
            commit=build.after,
            before=build.before,
            source=build.source,
            target=build.target,
            message=build.message,
            author=build.author_login,
            link=build.link,
            trusted=repo.trusted,
        ),
        stage=StepRef(number=stage.number, name=stage.name),
        steps=tuple(StepRef(number=step.number, name=step.name) for step in steps),
        clone=CloneOptions.from_data(json.loads(stage.clone_json or "{}"), "stage.clone"),
        lease_seconds=lease,
        job=job,
    )


def _build_values(repo: Repo, build: Build) -> dict[str, str]:
    """The build as the registry plugin sees it, from the same context the plan was made with."""
    facts = BuildFacts(
        event=build.event,
        ref=build.ref,
        after=build.after,
        trigger=build.trigger,
        action=build.action,
        before=build.before,
        source=build.source,
        target=build.target,
        sender=build.sender,
    )
    inp = build_input(RepoView.of(repo), facts, build.number, build.timestamp)
    return build_values(context_of(inp))
