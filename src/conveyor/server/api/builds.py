"""/api/repos/{owner}/{name}/builds: list, create (event `custom`), info with stages and steps,
restart (a new number), cancel, approve and decline. Git runs outside any transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.server.api.build_reads import ReaderDep, build_tree, builds_page
from conveyor.server.api.deps import CallerDep, Ctx, find_repo
from conveyor.server.api.errors import ApiError, bad_request, not_found
from conveyor.server.api.inputs import Number
from conveyor.server.api.render import JSON, build_json, stage_json
from conveyor.server.auth import Access, Caller
from conveyor.server.build_control import ControlError, approve, cancel, decline
from conveyor.server.build_intake import RepoGoneError, RepoSnapshot, add_build
from conveyor.server.build_store import BuildFacts
from conveyor.server.builds import BuildRequestError, custom_facts, restart_facts
from conveyor.server.context import AppContext
from conveyor.server.live.events import BuildEvent, build_event, publish_builds
from conveyor.server.store.models import Build, Repo, Stage, Step

router = APIRouter(tags=["builds"])
BASE = "/api/repos/{owner}/{name}/builds"
RESERVED = {"branch", "commit", "access_token"}
T = TypeVar("T")


def full_build_json(session: Session, build: Build) -> JSON:
    """A build with `stages[].steps[]` (one query for both)."""
    stages = stages_with_steps(session, build)
    return build_json(build, [stage_json(stage, steps) for stage, steps in stages])


def stages_with_steps(session: Session, build: Build) -> list[tuple[Stage, list[Step]]]:
    """The build's stages in order, each with its steps in order (one query)."""
    query = (
        select(Stage, Step)
        .outerjoin(Step, Step.stage_id == Stage.id)
        .where(Stage.build_id == build.id)
        .order_by(Stage.number, Step.number)
    )
    stages: dict[int, tuple[Stage, list[Step]]] = {}
    for stage, step in session.execute(query):
        steps = stages.setdefault(stage.id, (stage, []))[1]
        if step is not None:
            steps.append(step)
    return list(stages.values())


def find_build(
    session: Session, caller: Caller, owner: str, name: str, *, number: int, need: Access
) -> tuple[Repo, Build]:
    """The repository and its build `number`; 404/403 as for the repository."""
    repo, _ = find_repo(session, caller, owner, name, need)
    return repo, build_of(session, repo, number)


def build_of(session: Session, repo: Repo, number: int) -> Build:
    """Build `number` of `repo`; 404 when there is none."""
    build = session.scalar(select(Build).where(Build.repo_id == repo.id, Build.number == number))
    if build is None:
        raise not_found("build")
    return build


def builds_of(
    session: Session, repo: Repo, *, page: int, per_page: int, branch: str | None = None
) -> list[Build]:
    """One page of the repository's builds, newest first (optionally of one branch)."""
    query = select(Build).where(Build.repo_id == repo.id)
    if branch:
        query = query.where(Build.target == branch)
    query = query.order_by(Build.number.desc()).offset((page - 1) * per_page).limit(per_page)
    return list(session.scalars(query))


def _params(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k not in RESERVED}


@router.get(BASE, response_model=list[JSON])
async def list_builds(
    *,
    ctx: Ctx,
    reader: ReaderDep,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 25,
    branch: Annotated[str | None, Query(max_length=250, pattern=r"^[^\x00]*$")] = None,
) -> Response:
    """The repository's builds, newest first (without stages)."""
    repo_id = reader.readable()
    with ctx.reading() as connection:  # on the event loop: one indexed read (see deps.py)
        body = builds_page(connection, repo_id, page=page, per_page=per_page, branch=branch)
    return Response(body, media_type="application/json")


@router.post(BASE, status_code=201)
def post_build(
    *,
    ctx: Ctx,
    caller: CallerDep,
    request: Request,
    owner: str,
    name: str,
    branch: Annotated[str | None, Query(max_length=250, pattern=r"^[^\x00]*$")] = None,
    commit: Annotated[str | None, Query(max_length=64, pattern=r"^[0-9a-fA-F]*$")] = None,
) -> JSON:
    """Start a build of a branch (default: the repository's) or commit; other query
    parameters become the build's parameters."""
    with ctx.read() as session:
        snapshot = RepoSnapshot.of(find_repo(session, caller, owner, name, Access.WRITE)[0])
    cache = ctx.settings.git_cache_dir
    try:
        facts = custom_facts(
            snapshot.view,
            cache,
            branch=branch,
            commit=commit,
            sender=caller.login,
            params=_params(request),
        )
    except BuildRequestError as exc:
        raise bad_request(f"field {'commit' if commit else 'branch'}: {exc}") from None
    answer, event = _add(ctx, snapshot, facts, full_build_json)
    _changed(ctx, event)
    return answer


@router.get(BASE + "/{number}", response_model=JSON)
async def get_build(ctx: Ctx, reader: ReaderDep, owner: str, name: str, number: Number) -> Response:
    """One build with its stages and steps."""
    del owner, name  # read by `reader`; declared here to keep the parameters' order
    repo_id = reader.readable()
    with ctx.reading() as connection:  # on the event loop: one indexed read (see deps.py)
        body = build_tree(connection, repo_id, number)
    return Response(body, media_type="application/json")


@router.post(BASE + "/{number}", status_code=201)
def restart_build(
    *, ctx: Ctx, caller: CallerDep, request: Request, owner: str, name: str, number: Number
) -> JSON:
    """Run a build again, as a new build (its parent is `number`)."""
    return restart(ctx, caller, (owner, name, number), _params(request), full_build_json)


@router.delete(BASE + "/{number}")
def cancel_build(ctx: Ctx, caller: CallerDep, owner: str, name: str, number: Number) -> JSON:
    """Cancel a build: running stages are stopped by their agent and end `killed` (their running
    steps `killed`, the steps that never started `skipped`); stages that never started end
    `skipped` with their steps, as in Drone. The build ends `killed`."""
    return cancel_build_of(ctx, caller, (owner, name, number), full_build_json)


@router.post(BASE + "/{number}/approve/{stage}")
def approve_stage(
    *, ctx: Ctx, caller: CallerDep, owner: str, name: str, number: Number, stage: Number
) -> JSON:
    """Let a blocked stage run."""
    where = (owner, name, number)
    return control(ctx, caller, where, lambda s, b: approve(s, b, stage), full_build_json)


@router.post(BASE + "/{number}/decline/{stage}")
def decline_stage(
    *, ctx: Ctx, caller: CallerDep, owner: str, name: str, number: Number, stage: Number
) -> JSON:
    """Refuse a blocked stage."""
    where = (owner, name, number)
    return control(ctx, caller, where, lambda s, b: decline(s, b, stage), full_build_json)


def _changed(ctx: AppContext, event: BuildEvent | None) -> None:
    """A build changed: wake waiting agents, tell live readers."""
    ctx.queue_signal.notify()
    publish_builds(ctx.hub, [event])


def restart(
    ctx: AppContext,
    caller: Caller,
    where: tuple[str, str, int],
    params: dict[str, str],
    answer: Callable[[Session, Build], T],
) -> T:
    """Restart build `where` as a new build (write permission); `answer` is computed from the
    new build inside the transaction. Used by the API and the web pages."""
    owner, name, number = where
    with ctx.read() as session:
        repo, build = find_build(session, caller, owner, name, number=number, need=Access.WRITE)
        snapshot = RepoSnapshot.of(repo)
        facts = restart_facts(build, caller.login, params)
    result, event = _add(ctx, snapshot, facts, answer)
    _changed(ctx, event)
    return result


def _add(
    ctx: AppContext,
    snapshot: RepoSnapshot,
    facts: BuildFacts,
    answer: Callable[[Session, Build], T],
) -> tuple[T, BuildEvent | None]:
    """A new build of the repository read in `snapshot`: `answer` and its live event; 404
    when the repository was removed meanwhile."""
    try:
        return add_build(
            ctx,
            snapshot,
            facts,
            answer=lambda session, build: (answer(session, build), build_event(session, build.id)),
        )
    except RepoGoneError:
        raise not_found("repository") from None


def control(
    ctx: AppContext,
    caller: Caller,
    where: tuple[str, str, int],
    change: Callable[[Session, Build], None],
    answer: Callable[[Session, Build], T],
) -> T:
    """Cancel, approve or decline (`change`) with write permission; 409 when the build is not
    in a state for it, 404 for an unknown stage. Used by the API and the web pages."""
    owner, name, number = where
    with ctx.tx() as session:
        _, build = find_build(session, caller, owner, name, number=number, need=Access.WRITE)
        try:
            change(session, build)
        except ControlError as exc:
            raise ApiError(409, str(exc)) from None
        except LookupError:
            raise not_found("stage") from None
        result = answer(session, build)
        event = build_event(session, build.id)
    _changed(ctx, event)
    return result


def cancel_build_of(
    ctx: AppContext,
    caller: Caller,
    where: tuple[str, str, int],
    answer: Callable[[Session, Build], T],
) -> T:
    """`control` with `cancel`, then wake the agents' held heartbeats so that they hear of it
    at once. Used by the API and the web pages."""
    result = control(ctx, caller, where, cancel, answer)
    ctx.cancel_signal.notify()
    return result
