"""GET /{owner}/{name}/{number} and .../{stage}/{step}: a build with its stages and steps, and
one step's log rendered on the server (then followed live by static/app.js); the header
fragment htmx reloads on build events; .../{stage}/{step}/log.txt, the log as plain text."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy.orm import Session

from conveyor.server.api.builds import stages_with_steps
from conveyor.server.api.deps import Ctx
from conveyor.server.api.logs import find_step
from conveyor.server.auth import Caller, Permission
from conveyor.server.live.events import step_topic
from conveyor.server.logstore import Line, read, text
from conveyor.server.states import DONE, Status
from conveyor.server.store.models import Build, Repo, Stage, Step
from conveyor.server.web.errors import WebError
from conveyor.server.web.logview import RenderedLog, pull_html
from conveyor.server.web.lookup import page_build
from conveyor.server.web.session import UserDep
from conveyor.server.web.templating import render, render_stream

router = APIRouter(include_in_schema=False)
BUILD = "/{owner}/{name}/{number:int}"


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildView:
    """What the build page shows: the build, its stages with their steps, the chosen step."""

    repo: Repo
    perm: Permission
    build: Build
    stages: list[tuple[Stage, list[Step]]]
    stage: Stage | None = None
    step: Step | None = None


FAILED = frozenset({Status.FAILURE, Status.ERROR})


def pick_step(
    build: Build, stages: list[tuple[Stage, list[Step]]], wanted: tuple[int, int] | None
) -> tuple[Stage, Step] | None:
    """The step asked for. Else, while the build goes on: the first running step, else the
    first one still to run (its lines appear when it starts); once it has ended: the first
    failed step, else the first killed one, else the last step that ran (not skipped)."""
    pairs = [(stage, step) for stage, steps in stages for step in steps]
    if wanted is not None:
        return next((p for p in pairs if (p[0].number, p[1].number) == wanted), None)
    if not pairs:
        return None
    ran = [p for p in pairs if p[1].status in DONE and p[1].status != Status.SKIPPED]
    choices = [
        [p for p in pairs if p[1].status == Status.RUNNING],
        [p for p in pairs if p[1].status not in DONE] if build.status not in DONE else [],
        [p for p in pairs if p[1].status in FAILED],
        [p for p in pairs if p[1].status == Status.KILLED],
        ran[-1:],
    ]
    return next((found[0] for found in choices if found), pairs[-1])


def build_view(
    session: Session, caller: Caller, where: tuple[str, str, int], step: tuple[int, int] | None
) -> BuildView:
    """The build page's facts (404 page for a step that does not exist)."""
    owner, name, number = where
    repo, perm, build = page_build(session, caller, owner, name, number)
    stages = stages_with_steps(session, build)
    chosen = pick_step(build, stages, step)
    if step is not None and chosen is None:
        raise WebError(404, "step not found")
    return BuildView(
        repo=repo,
        perm=perm,
        build=build,
        stages=stages,
        stage=chosen[0] if chosen else None,
        step=chosen[1] if chosen else None,
    )


def _page(
    request: Request,
    ctx: Ctx,
    caller: Caller,
    where: tuple[str, str, int],
    step: tuple[int, int] | None,
) -> Response:
    lines: list[Line] = []
    with ctx.read() as session:
        view = build_view(session, caller, where, step)
        if view.step is not None:
            lines = read(session, view.step.id)
    number = view.step.number if view.step is not None else 0
    pulls = []
    if view.step is not None and view.step.status not in DONE:
        pulls = [pull_html(number, e.data) for e in ctx.hub.latest_pulls(step_topic(view.step.id))]
    return render_stream(
        request,
        "build.html",
        view=view,
        log=RenderedLog(number, lines),
        line_count=len(lines),
        live=view.step is not None and view.step.status not in DONE,
        chosen=step is None,
        pulls=pulls,
    )


@router.get(BUILD)
def build_page(
    *, request: Request, ctx: Ctx, caller: UserDep, owner: str, name: str, number: int
) -> Response:
    """The build page, with its most interesting step open."""
    return _page(request, ctx, caller, (owner, name, number), None)


@router.get(BUILD + "/{stage:int}/{step:int}")
def step_page(
    *,
    request: Request,
    ctx: Ctx,
    caller: UserDep,
    owner: str,
    name: str,
    number: int,
    stage: int,
    step: int,
) -> Response:
    """The build page with one step's log open."""
    return _page(request, ctx, caller, (owner, name, number), (stage, step))


@router.get("/web/fragments/{owner}/{name}/{number:int}/head")
def build_head(
    *,
    request: Request,
    ctx: Ctx,
    caller: UserDep,
    owner: str,
    name: str,
    number: int,
    stage: int = 0,
    step: int = 0,
) -> Response:
    """The build's header and its stages and steps (reloaded live)."""
    wanted = (stage, step) if stage and step else None
    with ctx.read() as session:
        view = build_view(session, caller, (owner, name, number), wanted)
    return render(request, "_build_fragment.html", view=view)


@router.get(BUILD + "/{stage:int}/{step:int}/log.txt")
def download_log(
    *, ctx: Ctx, caller: UserDep, owner: str, name: str, number: int, stage: int, step: int
) -> Response:
    """The step's stored log as plain text (a download)."""
    with ctx.read() as session:
        _repo, _perm, build = page_build(session, caller, owner, name, number)
        log = text(session, find_step(session, build, stage, step).id)
    filename = f"{build.number}-{stage}-{step}.log"
    return PlainTextResponse(
        log,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
