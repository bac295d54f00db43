"""Server-Sent Events as bytes, and the two streams: one step's lines (replayed from the
stored log after Last-Event-ID, then live, `eof` once the step has ended) and the build events
a caller may read. A comment line is sent as a ping when nothing else was for 15 s."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from conveyor.server.live.hub import BUILDS, Event, Hub
from conveyor.server.logstore import Line

PING = 15.0
CHECK = 1.0
"""Seconds between two looks at a silent step's state (has it ended?)."""
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
PING_BYTES = b": ping\n\n"


def sse(name: str, data: Any, id: int | None = None) -> bytes:
    """One event: `id:` when given, `event:` unless it is a plain message, then the data."""
    head = "" if id is None else f"id: {id}\n"
    head += "" if name == "message" else f"event: {name}\n"
    return f"{head}data: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def line_event(line: Line) -> bytes:
    """A log line as /api/stream sends it: JSON `{"pos", "out", "time"}`, the position as id."""
    return sse("message", {"pos": line.pos, "out": line.out, "time": line.time}, line.pos)


def build_message(event: Event) -> bytes:
    """A build event as /api/stream sends it: the Repo JSON with its build."""
    return sse("message", event.data, event.id)


StepState = Callable[[int], Awaitable[tuple[list[Line], bool]]]
"""Given the last position sent: the stored lines after it, and whether the step has ended."""
LineEncoder = Callable[[Line], bytes]
OtherEncoder = Callable[[str, Any], bytes]
"""Encodes the step's other events (`pull` progress, `eof`) from their name and data."""


async def step_stream(
    hub: Hub,
    topic: object,
    after: int,
    stored: StepState,
    *,
    encode_line: LineEncoder = line_event,
    encode_other: OtherEncoder = sse,
) -> AsyncIterator[bytes]:
    """Lines after position `after`: stored ones first, then live ones, `eof` at the end.
    The encoders shape the events (the web pages send rendered HTML, the API JSON)."""
    sub = hub.subscribe(topic)  # before the replay: nothing falls between the two
    last = after
    try:
        for pull in hub.latest_pulls(topic):
            yield encode_other(pull.name, pull.data)
        idle = 0.0
        while True:
            lines, ended = await stored(last)
            for line in lines:
                yield encode_line(line)
                last = line.pos
            if ended:
                yield encode_other("eof", {})
                return
            event = await _next(sub.queue, CHECK)
            while event is not None:
                idle = 0.0
                if event.name != "message":
                    yield encode_other(event.name, event.data)
                elif event.id > last:
                    data = event.data
                    yield encode_line(Line(pos=data["pos"], out=data["out"], time=data["time"]))
                    last = event.id
                event = sub.queue.get_nowait() if not sub.queue.empty() else None
            if sub.dropped:
                return  # too slow: the reader reconnects with Last-Event-ID
            idle += CHECK
            if idle >= PING:
                yield PING_BYTES
                idle = 0.0
    finally:
        hub.unsubscribe(topic, sub)


async def build_stream(
    hub: Hub,
    after: int,
    may_read: Callable[[int], Awaitable[bool]],
    *,
    encode: Callable[[Event], bytes] = build_message,
    hello: bytes = b"",
) -> AsyncIterator[bytes]:
    """Build events the caller may read: those after `after` still kept, then live ones.
    `hello` is sent first (the web pages refresh on it after a reconnect)."""
    sub = hub.subscribe(BUILDS)
    try:
        if hello:
            yield hello
        for old in hub.since(after) if after else []:
            if await may_read(old.repo_id):
                yield encode(old)
        while not sub.dropped:
            event = await _next(sub.queue, PING)
            if event is None:
                yield PING_BYTES
            elif await may_read(event.repo_id):
                yield encode(event)
    finally:
        hub.unsubscribe(BUILDS, sub)


async def _next(queue: asyncio.Queue[Event | None], timeout: float) -> Event | None:
    try:
        return await asyncio.wait_for(queue.get(), timeout)
    except TimeoutError:
        return None
