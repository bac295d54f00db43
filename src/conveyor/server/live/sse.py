"""Server-Sent Events as bytes, and the two streams: one step's lines (replayed from the
stored log after Last-Event-ID, a page at a time, then live, `eof` once the step has ended) and
the build events a caller may read. A comment line is sent as a ping when nothing else was for
15 s. Lines go out one SSE event each, written together per page or stored batch. A stream
given a `guard` asks it at every wake-up and ends with `denied` once it says no."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from json.encoder import encode_basestring_ascii
from typing import Any

from conveyor.server.live.hub import BUILDS, ENDED, LINES, Event, Hub, Subscription
from conveyor.server.logstore import Chunk, Line

PING = 15.0
PAGE = 5000
"""Most stored lines read at once for a replay."""
CHECK = 1.0
"""Seconds between two looks at a silent step's state (has it ended?)."""
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
PING_BYTES = b": ping\n\n"


_compact = json.JSONEncoder(separators=(",", ":")).encode


def sse(name: str, data: Any, id: int | None = None) -> bytes:
    """One event: `id:` when given, `event:` unless it is a plain message, then the data."""
    head = "" if id is None else f"id: {id}\n"
    head += "" if name == "message" else f"event: {name}\n"
    return f"{head}data: {_compact(data)}\n\n".encode()


def line_events(chunks: list[Chunk]) -> bytes:
    """One `message` event per line, its id the line's position: the bytes `sse` writes for
    `{"pos", "out", "time"}`, put together without a dict and an encoder call per line."""
    parts: list[str] = []
    for chunk in chunks:
        first, outs, at = chunk.pos, chunk.outs, 0
        for count, seconds in chunk.times:
            tail = f',"time":{seconds}}}\n\n'
            positions = range(first + at, first + at + count)
            parts += [
                f'id: {p}\ndata: {{"pos":{p},"out":{encode_basestring_ascii(out)}{tail}'
                for p, out in zip(positions, outs[at : at + count], strict=True)
            ]
            at += count
    return "".join(parts).encode()


def line_event(line: Line) -> bytes:
    """A log line as /api/stream sends it: JSON `{"pos", "out", "time"}`, the position as id."""
    return sse("message", {"pos": line.pos, "out": line.out, "time": line.time}, line.pos)


def build_message(event: Event) -> bytes:
    """A build event as /api/stream sends it: the Repo JSON with its build."""
    return sse("message", event.data, event.id)


Guard = Callable[[], Awaitable[bool]]
"""Whether a stream may go on (asked at every wake-up, so at least every CHECK seconds: it
keeps its own pace for what it costs); once it says no, the stream sends `denied` and ends."""
DENIED = "denied"

StepState = Callable[[int], Awaitable[tuple[list[Chunk], bool]]]
"""Given the last position sent: about PAGE stored lines after it (whole rows, so at least
PAGE when that many are stored), in order, and whether the step has ended (looked at before
reading the lines)."""
LineEncoder = Callable[[Line], bytes]
OtherEncoder = Callable[[str, Any], bytes]
"""Encodes the step's other events (`pull` progress, `eof`) from their name and data."""


async def step_stream(
    hub: Hub,
    topic: object,
    after: int,
    stored: StepState,
    *,
    encode_line: LineEncoder | None = None,
    encode_other: OtherEncoder = sse,
    guard: Guard | None = None,
) -> AsyncIterator[bytes]:
    """Lines after position `after`: stored ones first, then live ones, `eof` at the end.
    The encoders shape the events (the web pages send rendered HTML, the API JSON); `guard`
    ends the stream with `denied` when it says no."""
    encode_lines: Callable[[list[Chunk]], bytes] = line_events
    if encode_line is not None:
        one = encode_line
        encode_lines = lambda chunks: b"".join(  # noqa: E731
            one(line) for chunk in chunks for line in chunk.lines()
        )
    encoders = (encode_lines, encode_other)
    sub = hub.subscribe(topic)  # before the replay: nothing falls between the two
    last = after
    try:
        for pull in hub.latest_pulls(topic):
            yield encode_other(pull.name, pull.data)
        idle = 0.0
        while True:
            if guard is not None and not await guard():
                yield encode_other(DENIED, {})
                return
            chunks, ended = await stored(last)
            if chunks:
                yield encode_lines(chunks)
                last = chunks[-1].last
            if sum(len(chunk) for chunk in chunks) >= PAGE:
                # more is stored: live lines queued meanwhile are stored too, only others count
                queued, last = _drain(sub, last, encoders, live_lines=False)
                if queued:
                    yield queued
                continue
            if ended:
                yield encode_other("eof", {})
                return
            event = await sub.next(CHECK)
            if event is not None:
                idle = 0.0
                queued, last = _drain(sub, last, encoders, first=event)
                if queued:
                    yield queued
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
    guard: Guard | None = None,
) -> AsyncIterator[bytes]:
    """Build events the caller may read: those after `after` still kept, then live ones.
    `hello` is sent first (the web pages refresh on it after a reconnect); `guard` ends the
    stream with a `denied` event when it says no."""
    sub = hub.subscribe(BUILDS)
    try:
        if hello:
            yield hello
        for old in hub.since(after) if after else []:
            if await may_read(old.repo_id):
                yield encode(old)
        wait = PING if guard is None else CHECK  # a guard is asked at least every CHECK s
        idle = 0.0
        while not sub.dropped:
            if guard is not None and not await guard():
                yield sse(DENIED, {})
                return
            event = await sub.next(wait)
            if event is not None:
                idle = 0.0
                if await may_read(event.repo_id):
                    yield encode(event)
                continue
            idle += wait
            if idle >= PING:
                yield PING_BYTES
                idle = 0.0
    finally:
        hub.unsubscribe(BUILDS, sub)


def _drain(
    sub: Subscription,
    last: int,
    encoders: tuple[Callable[[list[Chunk]], bytes], OtherEncoder],
    *,
    first: Event | None = None,
    live_lines: bool = True,
) -> tuple[bytes, int]:
    """The queued events as bytes, and the last line position sent. Lines at or before `last`
    (already sent from the stored log) are left out, and all lines unless `live_lines`."""
    encode_lines, encode_other = encoders
    out = []
    event = first if first is not None else sub.next_nowait()
    while event is not None:
        if event.name == ENDED:
            pass  # the caller looks at the stored log again, and sees the end
        elif event.name != LINES:
            out.append(encode_other(event.name, event.data))
        elif live_lines:
            fresh = [rest for chunk in event.data if (rest := chunk.after(last)) is not None]
            if fresh:
                out.append(encode_lines(fresh))
                last = fresh[-1].last
        event = sub.next_nowait()
    return b"".join(out), last
