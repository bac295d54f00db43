"""The /rpc/v1 routes an agent calls (docs/agent-protocol.md). Bodies are read with the pure
`conveyor.rpc` messages (400 names the bad key); a stage that is not the caller's is 409."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from conveyor.rpc import PREFIX
from conveyor.rpc.agent import StageRequest
from conveyor.rpc.fields import ProtocolError
from conveyor.rpc.reports import DoneReport, EventBatch, Heartbeat, LogBatch, StepsReport
from conveyor.server.api.deps import Ctx
from conveyor.server.api.errors import ApiError
from conveyor.server.context import AppContext
from conveyor.server.live.events import (
    BuildEvent,
    build_event,
    publish_builds,
    publish_ended,
    publish_lines,
    step_topic,
)
from conveyor.server.queue import AgentFilter, claim, paused
from conveyor.server.rpc import agents
from conveyor.server.rpc.assign import assignment_of
from conveyor.server.rpc.guard import check_agent
from conveyor.server.rpc.running import (
    StageNotOwnedError,
    apply_steps,
    extend,
    finish,
    owned,
    step_ids,
    store_lines,
)
from conveyor.server.store.models import Stage

router = APIRouter(
    prefix=PREFIX, tags=["rpc"], include_in_schema=False, dependencies=[Depends(check_agent)]
)
MAX_WAIT = 60.0
"""The longest a stage request is held, whatever the agent asks."""
POLL = 2.0
"""Seconds between two looks at the queue while nothing wakes the request."""
Payload = Annotated[Any, Body()]
M = TypeVar("M")


def _read(reader: Callable[[object], M], payload: object) -> M:
    try:
        return reader(payload)
    except ProtocolError as exc:
        raise ApiError(400, exc.message) from None


@router.post("/stages/request", response_model=None)
async def request_stage(ctx: Ctx, request: Request, payload: Payload) -> Response:
    """Long-poll: 200 with a claimed stage, or 204 when none came within `wait` seconds."""
    ask = _read(StageRequest.from_data, payload)
    deadline = time.monotonic() + min(ask.wait, MAX_WAIT)
    while True:
        found = await run_in_threadpool(_claim, ctx, ask)
        if found is not None:
            assignment, event = found
            publish_builds(ctx.hub, [event])
            return JSONResponse({"stage": assignment})
        left = deadline - time.monotonic()
        if left <= 0 or await request.is_disconnected():
            return Response(status_code=204)
        await ctx.queue_signal.wait(min(left, POLL))


def _claim(
    ctx: AppContext, ask: StageRequest
) -> tuple[dict[str, object], BuildEvent | None] | None:
    info = ask.agent
    wanted = AgentFilter(
        machine=info.name,
        os=info.platform.os,
        arch=info.platform.arch,
        types=frozenset(ask.types),
        labels=info.labels,
    )
    with ctx.tx() as session:
        agents.record(session, info, ask.types)
        if paused(session):
            return None
        stage = claim(session, wanted, lease=ctx.settings.lease)
        if stage is None:
            return None
        assignment = assignment_of(session, ctx.cipher, stage, ctx.settings.lease)
        return assignment.to_data(), build_event(session, stage.build_id)


def _on_stage(ctx: AppContext, stage_id: int, agent: str, act: Callable[[Session, Stage], M]) -> M:
    """Run `act` on the caller's running stage after extending its lease; 409 when not its."""
    try:
        with ctx.tx() as session:
            stage = owned(session, stage_id, agent)
            extend(stage, ctx.settings.lease)
            agents.touch(session, agent)
            return act(session, stage)
    except StageNotOwnedError as exc:
        raise ApiError(409, f"{exc}: stop it and remove its containers") from None


@router.post("/stages/{stage_id}/heartbeat")
async def heartbeat(ctx: Ctx, request: Request, stage_id: int, payload: Payload) -> JSONResponse:
    """The agent still runs the stage: extend the lease; the answer says whether to cancel.
    It is held up to `wait` seconds (a third of the lease at most) unless the stage is, or
    becomes, cancelled: a cancel reaches the agent at once."""
    beat = _read(Heartbeat.from_data, payload)
    deadline = time.monotonic() + min(beat.wait, ctx.settings.lease / 3)
    since = ctx.cancel_signal.generation
    cancel = await run_in_threadpool(
        _on_stage, ctx, stage_id, beat.agent, lambda _session, stage: stage.cancel
    )
    while not cancel:
        left = deadline - time.monotonic()
        if left <= 0 or await request.is_disconnected():
            break
        if await ctx.cancel_signal.wait(left, since):
            since = ctx.cancel_signal.generation
            cancel = await run_in_threadpool(_cancelled, ctx, stage_id)
    return JSONResponse({"cancel": cancel, "lease_seconds": ctx.settings.lease})


def _cancelled(ctx: AppContext, stage_id: int) -> bool:
    """Whether stage `stage_id` is flagged for cancel (or gone)."""
    with ctx.read() as session:
        stage = session.get(Stage, stage_id)
        return stage is None or stage.cancel


@router.post("/stages/{stage_id}/steps")
def report_steps(ctx: Ctx, stage_id: int, payload: Payload) -> JSONResponse:
    """Step states changed: stored, then live readers are told (the build page shows them)."""
    report = _read(StepsReport.from_data, payload)

    def act(session: Session, stage: Stage) -> tuple[BuildEvent | None, list[int]]:
        ended = apply_steps(session, stage, report.steps)
        return build_event(session, stage.build_id), ended

    event, ended = _on_stage(ctx, stage_id, report.agent, act)
    publish_builds(ctx.hub, [event])
    publish_ended(ctx.hub, ended)
    return JSONResponse({})


@router.post("/stages/{stage_id}/logs")
def report_logs(ctx: Ctx, stage_id: int, payload: Payload) -> JSONResponse:
    """Log lines, stored when they arrive (lines already stored are ignored), then fanned out."""
    batch = _read(LogBatch.from_data, payload)
    chunks = batch.chunks
    new = _on_stage(ctx, stage_id, batch.agent, lambda s, stage: store_lines(s, stage, chunks))
    publish_lines(ctx.hub, new)
    return JSONResponse({"stored": sum(len(c) for chunks in new.values() for c in chunks)})


@router.post("/stages/{stage_id}/events")
def report_events(ctx: Ctx, stage_id: int, payload: Payload) -> JSONResponse:
    """Pull progress: checked and fanned out to the step's live readers, not stored."""
    batch = _read(EventBatch.from_data, payload)
    ids = _on_stage(ctx, stage_id, batch.agent, step_ids)
    for event in batch.events:
        if event.step in ids:
            ctx.hub.publish(step_topic(ids[event.step]), "pull", event.to_data())
    return JSONResponse({})


@router.post("/stages/{stage_id}/done")
def report_done(ctx: Ctx, stage_id: int, payload: Payload) -> JSONResponse:
    """The stage ended: final step states; dependent stages run or are skipped."""
    report = _read(DoneReport.from_data, payload)

    def end(session: Session, stage: Stage) -> tuple[BuildEvent | None, list[int]]:
        ended = finish(session, stage, report)
        return build_event(session, stage.build_id), ended

    event, ended = _on_stage(ctx, stage_id, report.agent, end)
    publish_builds(ctx.hub, [event])
    publish_ended(ctx.hub, ended)
    ctx.queue_signal.notify()
    return JSONResponse({})
