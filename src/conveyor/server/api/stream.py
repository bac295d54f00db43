"""GET /api/stream (build events the caller may read, each the Repo with its build) and
GET /api/stream/{owner}/{name}/{build}/{stage}/{step} (one step's lines) as Server-Sent Events.
Auth as every route (`?access_token=` for browsers' EventSource); Last-Event-ID resumes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from conveyor.server.api.builds import find_build
from conveyor.server.api.deps import CallerDep, Ctx
from conveyor.server.api.logs import find_step
from conveyor.server.auth import Access, Caller, permission
from conveyor.server.context import AppContext
from conveyor.server.live.events import step_topic
from conveyor.server.live.sse import HEADERS, PAGE, build_stream, step_stream
from conveyor.server.logstore import Chunk, chunks_after
from conveyor.server.states import DONE
from conveyor.server.store.models import Repo, Step

router = APIRouter(tags=["stream"])
LastEventId = Annotated[str | None, Header(alias="Last-Event-ID")]
EVENT_STREAM = "text/event-stream"


def last_event(text: str | None) -> int:
    """The Last-Event-ID header as a number (-1: none or not a position of at most 18 ASCII
    digits: start from the beginning)."""
    digits = (text or "").strip()
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 18 else -1


@router.get("/api/stream", response_class=StreamingResponse)
def stream_builds(
    ctx: Ctx, caller: CallerDep, last_event_id: LastEventId = None
) -> StreamingResponse:
    """Build events of the repositories the caller may read (`data:` the Repo JSON with its
    `build`); with Last-Event-ID, the recent events after it first."""
    readable: dict[int, bool] = {}

    async def may_read(repo_id: int) -> bool:
        if repo_id not in readable:
            readable[repo_id] = await run_in_threadpool(may_read_repo, ctx, caller, repo_id)
        return readable[repo_id]

    events = build_stream(ctx.hub, max(last_event(last_event_id), 0), may_read)
    return StreamingResponse(events, media_type=EVENT_STREAM, headers=HEADERS)


def may_read_repo(ctx: AppContext, caller: Caller, repo_id: int) -> bool:
    """Whether `caller` may read the repository `repo_id` (the streams' filter)."""
    with ctx.read() as session:
        return repo_readable(session, caller, repo_id)


def repo_readable(session: Session, caller: Caller, repo_id: int) -> bool:
    """Whether `caller` may read the repository `repo_id`, in an open transaction."""
    repo = session.get(Repo, repo_id)
    return repo is not None and permission(session, caller, repo).read


@router.get("/api/stream/{owner}/{name}/{number}/{stage}/{step}", response_class=StreamingResponse)
def stream_step(
    *,
    ctx: Ctx,
    caller: CallerDep,
    owner: str,
    name: str,
    number: int,
    stage: int,
    step: int,
    last_event_id: LastEventId = None,
) -> StreamingResponse:
    """One step's lines (`id:` is the line's position, `data:` `{"pos", "out", "time"}`), the
    stored ones after Last-Event-ID first; `event: eof` once the step has ended; `event: pull`
    for image pull progress."""
    with ctx.read() as session:
        _, build = find_build(session, caller, owner, name, number=number, need=Access.READ)
        step_id = find_step(session, build, stage, step).id

    async def stored(after: int) -> tuple[list[Chunk], bool]:
        return await run_in_threadpool(stored_lines, ctx, step_id, after)

    events = step_stream(ctx.hub, step_topic(step_id), last_event(last_event_id), stored)
    return StreamingResponse(events, media_type=EVENT_STREAM, headers=HEADERS)


def stored_lines(ctx: AppContext, step_id: int, after: int) -> tuple[list[Chunk], bool]:
    """About PAGE lines stored after position `after` (whole rows), and whether the step has
    ended (read first, so that no line stored before the end is missed). A read transaction:
    readers never wait for the agents' writes."""
    with ctx.read() as session:
        step = session.get(Step, step_id)
        ended = step is None or step.status in DONE
        return chunks_after(session, step_id, after, PAGE), ended
