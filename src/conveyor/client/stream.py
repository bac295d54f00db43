"""Following a step's log live: the server's Server-Sent Events, read and resumed.

`read_events` frames an SSE text stream into events (pure). `follow_step` yields a step's lines
(`{"pos", "out", "time"}`) as they come, reconnecting with `Last-Event-ID` when the connection
drops, until the server sends `event: eof` (the step is over and every line was sent).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import requests

from conveyor.client.api import Slug
from conveyor.client.http import ServerClient, UnreachableError

RECONNECTS = 10
"""Connection losses in a row after which following gives up."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamEvent:
    """One Server-Sent Event: its `id:`, `event:` name (`message` by default) and data."""

    id: str | None
    event: str
    data: str


def read_events(lines: Iterable[str]) -> Iterator[StreamEvent]:
    """The events of SSE text `lines` (without their line breaks); comments are skipped."""
    ident: str | None = None
    event, data = "message", list[str]()
    for line in lines:
        if not line:
            if data or event != "message":
                yield StreamEvent(id=ident, event=event, data="\n".join(data))
            event, data = "message", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
        elif name == "id":
            ident = value


def follow_step(
    client: ServerClient,
    slug: Slug,
    number: int,
    stage: int,
    step: int,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[dict[str, Any]]:
    """The lines of one step as the server streams them, until its `eof`."""
    path = f"/stream/{slug.owner}/{slug.name}/{number}/{stage}/{step}"
    what = f"step {stage}/{step} of {slug.owner}/{slug.name}#{number}"
    last_id: str | None = None
    losses = 0
    while True:
        response = client.open_stream(path, what=what, last_id=last_id)
        try:
            for event in read_events(response.iter_lines(decode_unicode=True)):
                losses = 0
                last_id = event.id if event.id is not None else last_id
                if event.event == "eof":
                    return
                if event.event == "message" and event.data:
                    line = json.loads(event.data)
                    if isinstance(line, dict):
                        yield line
        except (requests.RequestException, ValueError):
            pass
        finally:
            response.close()
        losses += 1
        if losses > RECONNECTS:
            raise UnreachableError(f"the live stream of {what} kept breaking; giving up")
        sleep(min(0.5 * losses, 5.0))
