"""Sends a running stage's step states, log lines and pull events to the server in batches.

Callers add items from any thread; a background thread sends what is pending every `interval`
seconds (at least once a second), and at once when a whole request's worth of log lines is
waiting: states of steps that run first, then the lines, then the states of steps that ended
(the server tells a step's live readers it ended, so its lines must be stored by then). Items
leave the buffer only once the server acknowledged them, so a batch that failed (a restarting
server) is sent again; the server ignores log lines it already stored (idempotent by step and
position).
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TextIO

from conveyor.agent.client import (
    RpcClient,
    RpcRefusedError,
    ServerUnreachableError,
    StageLostError,
)
from conveyor.rpc.reports import (
    EventBatch,
    LogChunk,
    PullEvent,
    StepsReport,
    StepState,
    batch_json,
    chunk_json,
)

MAX_LINES = 20_000
"""Most log lines in one request."""
MAX_BYTES = 900_000
"""Most bytes of JSON log chunks in one request: under the server's default body limit (1 MiB),
which refuses a larger request. The runner cuts lines at 64 KiB, so any one line fits."""
MAX_PENDING = 50_000
"""Log lines waiting to be sent past which a step's output waits (it stays in Docker's pipe
and the container's write blocks), so a long log cannot fill the agent's memory."""


class Reporter:
    """The outbox of one stage."""

    def __init__(
        self,
        client: RpcClient,
        stage_id: int,
        agent: str,
        *,
        on_lost: Callable[[str], None],
        cancel: threading.Event | None = None,
        interval: float = 0.5,
        err: TextIO = sys.stderr,
    ) -> None:
        self._client, self._stage, self._agent = client, stage_id, agent
        self._on_lost, self._interval, self._err = on_lost, interval, err
        self._cancel = cancel or threading.Event()
        """Once set (the stage is stopped), lines no longer wait for room."""
        self._lock = threading.Lock()
        self._room = threading.Condition(self._lock)
        self._send_lock = threading.Lock()
        self._steps: dict[int, StepState] = {}
        self._chunks: list[_Queued] = []
        """Chunks waiting to be sent, in order, their lines encoded once, when queued."""
        self._waiting = 0
        """Lines in `_chunks`."""
        self._bytes = 0
        """JSON bytes of `_chunks`."""
        self._wake = threading.Event()
        """Set when a whole request's worth of lines waits: it is sent without waiting for
        the interval."""
        self._events: dict[tuple[int, str, str], PullEvent] = {}
        self._positions: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"report-{stage_id}", daemon=True)

    def start(self) -> None:
        """Begin sending in the background."""
        self._thread.start()

    def step(self, state: StepState) -> None:
        """Queue a step's new state (a later state of the same step replaces it)."""
        with self._lock:
            self._steps[state.number] = state

    def line(self, step: int, out: str, seconds: float) -> None:
        """Queue one line of `step` (its position is the next of that step)."""
        self.lines(step, (out,), seconds)

    def lines(self, step: int, outs: Sequence[str], seconds: float) -> None:
        """Queue lines of `step` in order (their positions follow the step's last); waits
        while MAX_PENDING lines are waiting to be sent, unless the stage is stopped."""
        if not outs:
            return
        with self._lock:
            while self._waiting >= MAX_PENDING and not self._cancel.is_set():
                self._room.wait(0.5)
            pos = self._positions.get(step, 0)
            self._positions[step] = pos + len(outs)
            self._waiting += len(outs)
        chunks = _encoded(LogChunk(step=step, pos=pos, lines=list(outs), time=int(seconds)))
        with self._lock:
            for chunk in chunks:
                before = self._chunks[-1].size if self._chunks else 0
                if self._chunks and self._chunks[-1].join(chunk):
                    self._bytes += self._chunks[-1].size - before
                else:
                    self._chunks.append(chunk)
                    self._bytes += chunk.size
            if self._bytes >= MAX_BYTES or self._waiting >= MAX_LINES:
                self._wake.set()

    def event(self, event: PullEvent) -> None:
        """Queue a pull progress event (only the latest of each layer is kept)."""
        with self._lock:
            self._events[(event.step, event.image, event.layer)] = event

    def close(self) -> None:
        """Stop the background thread and send what is left (waits for the server)."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join()
        self.flush()

    def flush(self) -> None:
        """Send everything pending; what the server did not acknowledge stays queued."""
        with self._send_lock:
            try:
                self._send_steps(ended=False)
                while self._send_lines():
                    pass
                self._send_steps(ended=True)  # after its lines: a step's end means no more
                self._send_events()
            except StageLostError as exc:
                self._on_lost(str(exc))
            except (RpcRefusedError, ServerUnreachableError) as exc:  # kept, sent again later
                self._err.write(f"conveyor agent: stage {self._stage}: {exc}\n")

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._interval)
            self._wake.clear()
            if not self._stop.is_set():
                self.flush()

    def _send_steps(self, *, ended: bool) -> None:
        """Send the pending states of steps that have `ended` (or not); an end waits while
        lines of its step wait."""
        with self._lock:
            waiting = {chunk.step for chunk in self._chunks} if ended else set()
            pending = {
                n: s for n, s in self._steps.items() if s.status.ended == ended and n not in waiting
            }
        if not pending:
            return
        steps = tuple(pending[number] for number in sorted(pending))
        self._client.steps(self._stage, StepsReport(agent=self._agent, steps=steps))
        with self._lock:
            for number, state in pending.items():
                if self._steps.get(number) is state:
                    del self._steps[number]

    def _send_lines(self) -> bool:
        """Send one batch of lines; whether more are waiting."""
        with self._lock:
            batch = _batch(self._chunks)
            body = batch_json(self._agent, [chunk.to_json() for chunk in batch])
        if not batch:
            return False
        self._client.logs(self._stage, body)
        with self._lock:
            del self._chunks[: len(batch)]
            self._waiting -= sum(chunk.count for chunk in batch)
            self._bytes -= sum(chunk.size for chunk in batch)
            self._room.notify_all()
            return bool(self._chunks)

    def _send_events(self) -> None:
        with self._lock:
            events, self._events = self._events, {}
        if events:
            batch = EventBatch(agent=self._agent, events=tuple(events.values()))
            # progress is only for live readers: a lost batch is not sent again
            with contextlib.suppress(ServerUnreachableError):
                self._client.events(self._stage, batch)


@dataclass(slots=True)
class _Queued:
    """Lines of one step at consecutive positions from `pos`, all written in second `time`,
    as pieces of one JSON array (each piece the array's items without its brackets). Later
    lines of the same step and second join it, until it is taken into a request (`sealed`)."""

    step: int
    pos: int
    time: int
    count: int
    pieces: list[str]
    size: int
    """Bytes of this chunk's JSON."""
    sealed: bool = False

    def join(self, other: _Queued) -> bool:
        """Take `other`'s lines when they follow on in the same second and both fit in one
        request; whether they were taken."""
        fits = self.size + len(other.pieces[0]) + 1 <= MAX_BYTES
        if (
            self.sealed
            or not fits
            or (other.step, other.pos, other.time) != (self.step, self.pos + self.count, self.time)
            or self.count + other.count > MAX_LINES
        ):
            return False
        self.pieces.append(other.pieces[0])
        self.count += other.count
        self.size += len(other.pieces[0]) + 1
        return True

    def to_json(self) -> str:
        """The chunk as the protocol's JSON."""
        return chunk_json(self.step, self.pos, self.time, f"[{','.join(self.pieces)}]")


def _encoded(chunk: LogChunk) -> list[_Queued]:
    """`chunk` encoded, cut in halves until each part fits in one request."""
    text = "" if len(chunk.lines) > MAX_LINES else chunk.lines_json()
    size = len(chunk_json(chunk.step, chunk.pos, chunk.time, text))
    if text and (size <= MAX_BYTES or len(chunk.lines) == 1):
        return [_Queued(chunk.step, chunk.pos, chunk.time, len(chunk.lines), [text[1:-1]], size)]
    half = min(len(chunk.lines) // 2, MAX_LINES)
    head = LogChunk(step=chunk.step, pos=chunk.pos, lines=chunk.lines[:half], time=chunk.time)
    tail = LogChunk(
        step=chunk.step, pos=chunk.pos + half, lines=chunk.lines[half:], time=chunk.time
    )
    return _encoded(head) + _encoded(tail)


def _batch(chunks: list[_Queued]) -> list[_Queued]:
    """The first chunks that fit in one request (at least one): at most MAX_BYTES of JSON and
    MAX_LINES lines. They are sealed: no line joins them any more."""
    size = lines = 0
    taken = len(chunks)
    for count, chunk in enumerate(chunks):
        size += chunk.size + 1
        lines += chunk.count
        if count and (size > MAX_BYTES or lines > MAX_LINES):
            taken = count
            break
    for chunk in chunks[:taken]:
        chunk.sealed = True
    return chunks[:taken]
