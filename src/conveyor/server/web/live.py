"""Server-Sent Events for the pages, signed in with the session cookie, over the same hub and
stream generators as /api/stream: `/web/stream/builds` (an event `build` when a build the user
may read changes; `hello` first, so a page refreshes what it missed while disconnected) and
`/web/stream/{owner}/{name}/{number}/{stage}/{step}` (the step's lines as rendered HTML,
`pull` progress as HTML, `eof` at the end; resumes after Last-Event-ID or `?after=`, the
resume point carrying the ANSI style the next line starts in). Both end with `denied` once
the web session has ended or the repository is no longer readable (`stream_watch.py`)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from conveyor.server.api.deps import Ctx
from conveyor.server.api.logs import find_step
from conveyor.server.api.stream import EVENT_STREAM, may_read_repo, stored_lines
from conveyor.server.auth import Caller
from conveyor.server.context import AppContext
from conveyor.server.live.events import step_topic
from conveyor.server.live.hub import Event
from conveyor.server.live.sse import HEADERS, build_stream, step_stream
from conveyor.server.logstore import Chunk, Line
from conveyor.server.web.errors import WebError
from conveyor.server.web.logview import line_html, parse_resume, pull_html, resume_id
from conveyor.server.web.lookup import page_build, page_repo
from conveyor.server.web.session import UserDep, session_key
from conveyor.server.web.stream_watch import StreamWatch

router = APIRouter(include_in_schema=False)
LastEventId = Annotated[str | None, Header(alias="Last-Event-ID")]
HELLO = b"event: hello\ndata: {}\n\n"


def _event(name: str, data: str, id: str | None = None) -> bytes:
    """An SSE event whose data is one line of text (HTML here); newlines cannot occur."""
    head = "" if id is None else f"id: {id}\n"
    flat = data.replace("\r", "").replace("\n", "")
    return f"{head}event: {name}\ndata: {flat}\n\n".encode()


def _watch(request: Request, ctx: AppContext, caller: Caller, repo_id: int | None) -> StreamWatch:
    """The guard that ends a stream once its session ends (or the repository is no longer
    readable)."""
    key = session_key(request)
    if key is None:
        raise WebError(401, "sign in first: this page needs a signed-in user")
    return StreamWatch(ctx, caller, key, repo_id)


@router.get("/web/stream/builds", response_class=StreamingResponse)
def stream_builds(
    request: Request,
    ctx: Ctx,
    caller: UserDep,
    repo: Annotated[str | None, Query(max_length=501)] = None,
    number: Annotated[int | None, Query(ge=1)] = None,
) -> StreamingResponse:
    """Build events the user may read (of one repository, or one build, when asked)."""
    only: int | None = None
    if repo is not None:
        owner, _, name = repo.partition("/")
        with ctx.read() as session:
            only = page_repo(session, caller, owner, name)[0].id
    watch = _watch(request, ctx, caller, only)
    readable: dict[int, bool] = {}
    looks = watch.looks

    async def may_read(repo_id: int) -> bool:
        nonlocal looks
        if only is not None and repo_id != only:
            return False
        if looks != watch.looks:  # permissions may have changed: read them again
            readable.clear()
            looks = watch.looks
        if repo_id not in readable:
            readable[repo_id] = await run_in_threadpool(may_read_repo, ctx, watch.caller, repo_id)
        return readable[repo_id]

    def encode(event: Event) -> bytes:
        build = event.data.get("build", {})
        if number is not None and build.get("number") != number:
            return b""
        data = {"repo": event.data.get("slug"), "number": build.get("number")}
        return _event("build", json.dumps(data), str(event.id))

    events = build_stream(ctx.hub, 0, may_read, encode=encode, hello=HELLO, guard=watch)
    return StreamingResponse(events, media_type=EVENT_STREAM, headers=HEADERS)


@router.get("/web/stream/{owner}/{name}/{number}/{stage}/{step}", response_class=StreamingResponse)
def stream_step(
    *,
    request: Request,
    ctx: Ctx,
    caller: UserDep,
    owner: str,
    name: str,
    number: int,
    stage: int,
    step: int,
    after: Annotated[str | None, Query(max_length=40)] = None,
    last_event_id: LastEventId = None,
) -> StreamingResponse:
    """One step's lines after the resume point `after` (or Last-Event-ID, whichever is later)
    as HTML, each event's id the resume point after its line: the style a line leaves on
    goes on in the next one, also across a reconnect."""
    with ctx.read() as session:
        repo, _, build = page_build(session, caller, owner, name, number)
        step_id = find_step(session, build, stage, step).id
    watch = _watch(request, ctx, caller, repo.id)

    async def stored(last: int) -> tuple[list[Chunk], bool]:
        return await run_in_threadpool(stored_lines, ctx, step_id, last)

    start, style = max(parse_resume(after), parse_resume(last_event_id), key=lambda r: r[0])

    def encode_line(line: Line) -> bytes:
        nonlocal style
        html, style = line_html(step, line, style)
        return _event("line", html, resume_id(line.pos, style))

    def encode_other(event_name: str, data: Any) -> bytes:
        if event_name == "pull":
            return _event("pull", pull_html(step, data))
        return _event(event_name, "")

    events = step_stream(
        ctx.hub,
        step_topic(step_id),
        start,
        stored,
        encode_line=encode_line,
        encode_other=encode_other,
        guard=watch,
    )
    return StreamingResponse(events, media_type=EVENT_STREAM, headers=HEADERS)
