"""Creating builds: read the pipeline file at the commit with git, plan it (lint, trigger,
compile) for a build number and store the build; build_intake.add_build runs these steps,
keeping git and planning outside the write transaction.

Git failures while reading the file become a failed build whose error says why; a branch or
commit that cannot be resolved is refused (BuildRequestError) before anything is stored.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from conveyor.server.build_store import BuildFacts, next_number, store_build
from conveyor.server.intake import (
    BuildInput,
    Intake,
    IntakeError,
    commit_info,
    plan_build,
    read_file_at,
    resolve_commit,
)
from conveyor.server.store.models import Build, Repo


class BuildRequestError(ValueError):
    """A build that cannot even be started (unknown branch or commit); one sentence."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RepoView:
    """The repository facts the git step needs, read in a short transaction."""

    id: int
    slug: str
    git_http_url: str
    default_branch: str
    config_path: str
    trusted: bool
    protected: bool

    @classmethod
    def of(cls, repo: Repo) -> RepoView:
        """A detached copy of `repo`'s facts."""
        return cls(
            id=repo.id,
            slug=repo.slug,
            git_http_url=repo.git_http_url,
            default_branch=repo.default_branch,
            config_path=repo.config_path,
            trusted=repo.trusted,
            protected=repo.protected,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class FileAtCommit:
    """The pipeline file's bytes, or why it could not be read."""

    text: bytes | None
    error: str | None = None


def read_pipeline(repo: RepoView, commit: str, cache_dir: Path) -> FileAtCommit:
    """The pipeline file at `commit`; a git failure is kept as the build's error."""
    try:
        return FileAtCommit(
            text=read_file_at(repo.git_http_url, commit, repo.config_path, cache_dir)
        )
    except IntakeError as exc:
        return FileAtCommit(text=None, error=exc.message)


def custom_facts(
    repo: RepoView,
    cache_dir: Path,
    *,
    branch: str | None,
    commit: str | None,
    sender: str,
    params: dict[str, str],
) -> BuildFacts:
    """Facts of a build started from the API (event `custom`), from git; BuildRequestError."""
    branch = branch or repo.default_branch
    try:
        sha = resolve_commit(repo.git_http_url, commit or branch, cache_dir)
        info = commit_info(repo.git_http_url, sha, cache_dir)
    except IntakeError as exc:
        raise BuildRequestError(exc.message) from None
    return BuildFacts(
        event="custom",
        ref=f"refs/heads/{branch}",
        after=sha,
        trigger=sender,
        source=branch,
        target=branch,
        message=info.message,
        title="",
        timestamp=info.timestamp,
        author_login=info.author,
        author_name=info.author_name,
        author_email=info.author_email,
        sender=sender,
        params=params,
    )


def build_input(repo: RepoView, facts: BuildFacts, number: int, created: int) -> BuildInput:
    """What the intake plans for (Drone's build context of the pipeline)."""
    return BuildInput(
        repo=repo.slug,
        event=facts.event,
        branch=facts.target or facts.source,
        ref=facts.ref,
        commit=facts.after,
        before=facts.before,
        source=facts.source,
        target=facts.target,
        message=facts.message,
        author=facts.author_login,
        author_name=facts.author_name,
        author_email=facts.author_email,
        link=facts.link,
        sender=facts.sender,
        trusted=repo.trusted,
        number=number,
        created=created,
        parameters=dict(facts.params),
        config_path=repo.config_path,
        action=facts.action,
    )


def create_build(
    session: Session,
    repo: Repo,
    facts: BuildFacts,
    pipeline: FileAtCommit,
    *,
    block: bool,
    plan: Callable[[bytes, BuildInput], Intake] = plan_build,
) -> Build:
    """Number, plan and store one build in `session`'s transaction (build_intake.add_build
    plans outside it and comes here only when its guesses of the number keep missing)."""
    number = next_number(session, repo)
    intake = plan_intake(RepoView.of(repo), facts, pipeline, number, plan)
    return store_build(session, repo, number, facts, intake, block=block)


def plan_intake(
    repo: RepoView,
    facts: BuildFacts,
    pipeline: FileAtCommit,
    number: int,
    plan: Callable[[bytes, BuildInput], Intake],
) -> Intake:
    """The stages of build `number` (pure but for `plan`'s CPU: no database, no git)."""
    if pipeline.text is None:
        return Intake(stages=[], error=pipeline.error or "the pipeline file could not be read")
    return plan(pipeline.text, build_input(repo, facts, number, facts.timestamp))


def restart_facts(build: Build, sender: str, params: dict[str, str]) -> BuildFacts:
    """The facts of a new build repeating `build` (its number becomes the parent)."""
    names = [f.name for f in dataclasses.fields(BuildFacts) if f.name not in {"params", "parent"}]
    old_params: dict[str, str] = json.loads(build.params or "{}")
    values = {name: getattr(build, name) for name in names}
    values["sender"] = sender
    return BuildFacts(**values, parent=build.number, params={**old_params, **params})
