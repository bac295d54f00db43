"""`Hub`: publish from any thread, subscribe from the event loop. Each subscriber has a
bounded queue; one that falls too far behind is dropped (its reader reconnects with
Last-Event-ID and gets the rest from the stored log), so a slow reader never holds the server.
A step's new log lines travel as one `lines` event per stored batch, weighing one per line.
Build events are also kept in a short ring, for readers that reconnect."""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections import OrderedDict, deque
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

BACKLOG = 60_000
"""Events (log lines count one each) a subscriber may have waiting before it is dropped: a few
of the agents' biggest batches (20,000 lines), so that a reader busy with one is not dropped
for the next."""
RING = 1000
"""Build events kept for a reader that reconnects."""
BUILDS: Hashable = "builds"
"""The topic of build events."""
LINES = "lines"
"""Events of this name carry a step's new log lines (logstore `Chunk`s, in order)."""
ENDED = "ended"
"""An event of this name tells a step's readers it has ended (no data; not sent to them)."""
PULL = "pull"
"""Events of this name are also kept, the latest per image and layer of each topic."""
PULL_TOPICS = 1000
"""Topics whose latest pull progress is kept (the oldest is forgotten first)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """One thing that happened: an SSE event name, its id and its JSON data."""

    name: str
    id: int
    data: Any = field(repr=False)
    repo_id: int = 0
    """For build events: whose repository, to show it only to callers who may read it."""
    weight: int = 1
    """What the event counts against a subscriber's backlog (a `lines` event: its lines)."""


class Subscription:
    """A subscriber's queue; `dropped` once it fell behind."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self.dropped = False
        self.waiting = 0
        """The weight of the events in the queue."""

    def offer(self, event: Event) -> None:
        """Called in the loop's thread: queue `event`, or drop this subscriber when full."""
        if self.dropped:
            return
        if self.waiting + event.weight > BACKLOG:
            self.dropped = True
            self.queue.put_nowait(None)
            return
        self.waiting += event.weight
        self.queue.put_nowait(event)

    async def next(self, timeout: float) -> Event | None:
        """The next event, or None after `timeout` seconds or once dropped."""
        try:
            return self._took(await asyncio.wait_for(self.queue.get(), timeout))
        except TimeoutError:
            return None

    def next_nowait(self) -> Event | None:
        """The next event if one is queued, else None."""
        return None if self.queue.empty() else self._took(self.queue.get_nowait())

    def _took(self, event: Event | None) -> Event | None:
        if event is not None:
            self.waiting -= event.weight
        return event


class Hub:
    """Topics (build events, one per step) with their subscribers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._topics: dict[Hashable, set[Subscription]] = {}
        self._ids = itertools.count(1)
        self.recent: deque[Event] = deque(maxlen=RING)
        self._pulls: OrderedDict[Hashable, dict[tuple[str, str], Event]] = OrderedDict()

    def subscribe(self, topic: Hashable) -> Subscription:
        """A new subscription to `topic`, fed in the running loop."""
        sub = Subscription(asyncio.get_running_loop())
        with self._lock:
            self._topics.setdefault(topic, set()).add(sub)
        return sub

    def unsubscribe(self, topic: Hashable, sub: Subscription) -> None:
        with self._lock:
            subs = self._topics.get(topic)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._topics[topic]

    def publish(
        self,
        topic: Hashable,
        name: str,
        data: Any,
        *,
        id: int | None = None,
        repo_id: int = 0,
        weight: int = 1,
    ) -> None:
        """Fan `data` out to `topic`'s subscribers (any thread). Without `id` the event takes
        the hub's next number; build events are also kept in the ring. `weight` is what the
        event counts against a subscriber's backlog (a `lines` event: its line count)."""
        with self._lock:
            number = next(self._ids) if id is None else id
            event = Event(name=name, id=number, data=data, repo_id=repo_id, weight=weight)
            if topic == BUILDS:
                self.recent.append(event)
            if name == PULL:
                self._keep_pull(topic, event)
            subs = list(self._topics.get(topic, ()))
        for sub in subs:
            if not sub.loop.is_closed():
                sub.loop.call_soon_threadsafe(sub.offer, event)

    def _keep_pull(self, topic: Hashable, event: Event) -> None:
        data = event.data if isinstance(event.data, dict) else {}
        key = (str(data.get("image", "")), str(data.get("layer", "")))
        self._pulls.setdefault(topic, {})[key] = event
        self._pulls.move_to_end(topic)
        while len(self._pulls) > PULL_TOPICS:
            self._pulls.popitem(last=False)

    def latest_pulls(self, topic: Hashable) -> list[Event]:
        """The latest pull progress of each image layer of `topic`, oldest first."""
        with self._lock:
            return sorted(self._pulls.get(topic, {}).values(), key=lambda event: event.id)

    def since(self, last_id: int) -> list[Event]:
        """Build events after `last_id` still in the ring."""
        with self._lock:
            return [event for event in self.recent if event.id > last_id]
