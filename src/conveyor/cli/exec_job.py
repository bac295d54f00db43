"""The stage job of `conveyor exec`, made from its flags: the file compiled for one build
context, the secrets, the environment files and the runner's credential sources.

The plan and the build that the registry plugin sees come from the same `BuildContext`, so the
plugin is asked about the branch, event and repository the plan was compiled for. Imported only
when `exec` runs (heavy imports stay out of `conveyor --help`).
"""

from __future__ import annotations

import argparse
import re
import time
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from conveyor.cli.checked_file import load_checked
from conveyor.cli.exec_settings import registry_sources
from conveyor.cli.local_git import git_branch, git_commit
from conveyor.compiler.compile import compile_pipeline, select_pipeline
from conveyor.compiler.context import BuildContext, build_values
from conveyor.errors import UsageError
from conveyor.images.policy import PullPolicy
from conveyor.plan.model import Plan, StepKind
from conveyor.runner.job import StageJob
from conveyor.runner.run_loop import Limits
from conveyor.secrets.secretfile import DotenvKind, load_secret_file, parse_secret_assignment


def build_job(args: argparse.Namespace, err: TextIO) -> StageJob | None:
    """The job that `exec` runs; None after lint errors (already printed to `err`)."""
    loaded = load_checked(Path(args.file), trusted=args.trusted, err=err, strict=args.strict)
    if loaded is None:
        return None
    cwd = Path.cwd()
    context = build_context(args, cwd)
    plan = compile_pipeline(select_pipeline(loaded.file, args.pipeline), context)
    plan = select_steps(plan, args.include, args.exclude)
    secrets, extra_env = read_secrets(args), read_env_files(args)
    return StageJob(
        plan=plan,
        secrets=secrets,
        pull_request_secrets=frozenset(args.pull_request_secret),
        build=build_values(context),
        registry=registry_sources(args),
        limits=Limits(step_timeout=args.step_timeout, run_timeout=args.timeout),
        parallel=args.parallel,
        workspace_source=cwd,
        workspace_exclude=tuple(
            Path(p) for p in (*args.secret_file, *args.env_file, *args.registry_config)
        ),
        extra_env=extra_env,
    )


def build_context(args: argparse.Namespace, cwd: Path) -> BuildContext:
    """The build of `--branch`, `--event`... with defaults from the git checkout in `cwd`."""
    branch = args.branch or git_branch(cwd) or "main"
    return BuildContext(
        commit=args.commit or git_commit(cwd) or "0" * 40,
        repo=f"local/{_slug(cwd.name)}",
        branch=branch,
        event=args.event,
        ref=args.ref or f"refs/heads/{branch}",
        trusted=args.trusted,
        runner_pull_default=PullPolicy(args.pull_policy),
        allowed_pull_policies=(
            frozenset(PullPolicy(p) for p in args.allow_pull_policy)
            if args.allow_pull_policy
            else None
        ),
        created=int(time.time()),
    )


def read_secrets(args: argparse.Namespace) -> dict[str, str]:
    """--secret-file files in order, then --secret values (which win)."""
    secrets: dict[str, str] = {}
    for path in args.secret_file:
        secrets.update(load_secret_file(Path(path)))
    for text in args.secret:
        name, value = parse_secret_assignment(text)
        secrets[name] = value
    return secrets


def read_env_files(args: argparse.Namespace) -> dict[str, str]:
    """--env-file files in order (dotenv, like secret files)."""
    values: dict[str, str] = {}
    for path in args.env_file:
        values.update(load_secret_file(Path(path), kind=DotenvKind.ENVIRONMENT))
    return values


def select_steps(plan: Plan, include: list[str], exclude: list[str]) -> Plan:
    """`--include`/`--exclude` as skip reasons on the plan's steps (services always run)."""
    names = [step.name for step in plan.steps if step.kind is StepKind.STEP]
    unknown = [name for name in (*include, *exclude) if name not in names]
    if unknown:
        raise UsageError(
            f"no step named {', '.join(map(repr, unknown))} in pipeline {plan.pipeline!r}; "
            f"steps: {', '.join(names) or 'none'}"
        )
    steps = []
    for step in plan.steps:
        reason = None
        if step.kind is StepKind.STEP and include and step.name not in include:
            reason = "not selected by --include"
        if step.name in exclude:
            reason = "excluded by --exclude"
        steps.append(replace(step, skip_reason=reason) if reason else step)
    return replace(plan, steps=tuple(steps))


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", name.lower(), flags=re.ASCII).strip("-") or "workspace"
