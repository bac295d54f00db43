"""GET /api/repos/{owner}/{name}/builds/{number}/logs/{stage}/{step}: a step's log as JSON lines
(`[{"pos", "out", "time"}]`) or, with `?format=text` or `Accept: text/plain`, as plain text."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy import select

from conveyor.server.api.builds import BASE, find_build
from conveyor.server.api.deps import CallerDep, Ctx
from conveyor.server.api.errors import not_found
from conveyor.server.auth import Access
from conveyor.server.logstore import read
from conveyor.server.store.models import Stage, Step

router = APIRouter(tags=["logs"])


@router.get(BASE + "/{number}/logs/{stage}/{step}")
def get_logs(
    *,
    ctx: Ctx,
    caller: CallerDep,
    request: Request,
    owner: str,
    name: str,
    number: int,
    stage: int,
    step: int,
    format: Annotated[Literal["json", "text"] | None, Query()] = None,
) -> Response:
    """The step's stored lines."""
    with ctx.tx() as session:
        _, build = find_build(session, caller, owner, name, number=number, need=Access.READ)
        row = session.scalar(
            select(Step)
            .join(Stage, Stage.id == Step.stage_id)
            .where(Stage.build_id == build.id, Stage.number == stage, Step.number == step)
        )
        if row is None:
            raise not_found("step")
        lines = read(session, row.id)
    as_text = format == "text" or (
        format is None and "text/plain" in request.headers.get("accept", "")
    )
    if as_text:
        return PlainTextResponse("".join(line.out for line in lines))
    return JSONResponse([{"pos": ln.pos, "out": ln.out, "time": ln.time} for ln in lines])
