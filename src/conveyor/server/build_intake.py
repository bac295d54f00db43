"""Adding a build (webhook, `POST .../builds`, restart) with the pipeline file read, linted and
compiled outside the write transaction.

Planning is CPU work, and its result depends on the build number (`DRONE_BUILD_NUMBER`), which
is only taken inside the write transaction. On SQLite a write transaction holds the database's
one writer lock, so every other writer (agents' log batches, step updates) would wait behind
that work. So the number is guessed from a read (the repository's counter + 1), the build
planned for it outside any transaction, and the write transaction only checks that the guess
still holds (the repository's row unchanged, its counter not moved) before it takes the number
and stores the rows. When another build took that number meanwhile, the build is planned again
for the new counter (the file is read again only if the repository's git URL or config path
changed); after `OPTIMISTIC_ATTEMPTS` such misses, planning runs inside the transaction, as it
did before, so a build always gets in. The counter only moves in the transaction that stores
the build, so numbers stay gap-free; `admit` runs in that transaction, with the row locked,
for what the caller must check there (a webhook: the repository still active).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session

from conveyor.server.build_store import BuildFacts, next_number, store_build
from conveyor.server.builds import FileAtCommit, RepoView, create_build, plan_intake, read_pipeline
from conveyor.server.context import AppContext
from conveyor.server.intake import plan_build
from conveyor.server.store.models import Build, Repo

T = TypeVar("T")

OPTIMISTIC_ATTEMPTS = 3
"""Plannings outside the transaction before the last attempt plans inside it."""


class RepoGoneError(LookupError):
    """The repository was removed before its build could be stored."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RepoSnapshot:
    """What a build is planned from: the repository's facts and its counter, read together."""

    view: RepoView
    counter: int

    @classmethod
    def of(cls, repo: Repo) -> RepoSnapshot:
        """A detached copy of `repo`'s facts and counter."""
        return cls(view=RepoView.of(repo), counter=repo.counter)


def _admit_any(_session: Session, _repo: Repo) -> None:
    """The default `admit`: nothing more to check."""


def add_build(
    ctx: AppContext,
    first: RepoSnapshot,
    facts: BuildFacts,
    *,
    answer: Callable[[Session, Build], T],
    admit: Callable[[Session, Repo], None] = _admit_any,
    hold_protected: bool = False,
) -> T:
    """Read the file at `facts.after`, plan and store a build of the repository as read in
    `first`; `answer` is computed from the stored build inside its transaction. `admit`
    raises to refuse the build (nothing is stored); `hold_protected` blocks the stages of a
    protected repository for approval. RepoGoneError when the repository was removed."""
    snapshot = first
    pipeline = read_pipeline(first.view, facts.after, ctx.settings.git_cache_dir)
    for _attempt in range(OPTIMISTIC_ATTEMPTS):
        number = snapshot.counter + 1
        intake = plan_intake(snapshot.view, facts, pipeline, number, plan_build)
        with ctx.tx() as session:
            repo = _locked(session, snapshot.view.id)
            admit(session, repo)
            current = RepoSnapshot.of(repo)
            if current == snapshot:
                taken = next_number(session, repo)
                assert taken == number, (taken, number)
                block = hold_protected and repo.protected
                return answer(
                    session, store_build(session, repo, number, facts, intake, block=block)
                )
        pipeline = _reread(pipeline, snapshot.view, current.view, facts.after, ctx)
        snapshot = current
    with ctx.tx() as session:
        repo = _locked(session, snapshot.view.id)
        admit(session, repo)
        block = hold_protected and repo.protected
        built = create_build(session, repo, facts, pipeline, block=block, plan=plan_build)
        return answer(session, built)


def _locked(session: Session, repo_id: int) -> Repo:
    """The repository's row, locked until the transaction ends; RepoGoneError when removed."""
    repo = session.get(Repo, repo_id, with_for_update=True)
    if repo is None:
        raise RepoGoneError(repo_id)
    return repo


def _reread(
    pipeline: FileAtCommit, was: RepoView, now: RepoView, commit: str, ctx: AppContext
) -> FileAtCommit:
    """The file again when where it is read from changed, else the same bytes."""
    if (was.git_http_url, was.config_path) == (now.git_http_url, now.config_path):
        return pipeline
    return read_pipeline(now, commit, ctx.settings.git_cache_dir)
