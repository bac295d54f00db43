"""GET /api/repos/{owner}/{name}/builds/{number}/logs/{stage}/{step}: a step's log as JSON lines
(`[{"pos", "out", "time"}]`) or, with `?format=text` or `Accept: text/plain`, as plain text."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.server.api.builds import BASE, find_build
from conveyor.server.api.deps import CallerDep, Ctx
from conveyor.server.api.errors import not_found
from conveyor.server.api.inputs import Number
from conveyor.server.auth import Access
from conveyor.server.logstore import read, text
from conveyor.server.store.models import Build, Stage, Step

router = APIRouter(tags=["logs"])


def find_step(session: Session, build: Build, stage: int, step: int) -> Step:
    """Step `step` of stage `stage` of `build` (numbers); 404 when there is none."""
    row = session.scalar(
        select(Step)
        .join(Stage, Stage.id == Step.stage_id)
        .where(Stage.build_id == build.id, Stage.number == stage, Step.number == step)
    )
    if row is None:
        raise not_found("step")
    return row


@router.get(BASE + "/{number}/logs/{stage}/{step}")
def get_logs(
    *,
    ctx: Ctx,
    caller: CallerDep,
    request: Request,
    owner: str,
    name: str,
    number: Number,
    stage: Number,
    step: Number,
    format: Annotated[Literal["json", "text"] | None, Query()] = None,
) -> Response:
    """The step's stored lines."""
    as_text = format == "text" or (
        format is None and "text/plain" in request.headers.get("accept", "")
    )
    with ctx.read() as session:
        _, build = find_build(session, caller, owner, name, number=number, need=Access.READ)
        step_id = find_step(session, build, stage, step).id
        if as_text:
            return PlainTextResponse(text(session, step_id))
        lines = read(session, step_id)
    return JSONResponse([{"pos": ln.pos, "out": ln.out, "time": ln.time} for ln in lines])
