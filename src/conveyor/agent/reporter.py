"""Sends a running stage's step states, log lines and pull events to the server in batches.

Callers add items from any thread; a background thread sends what is pending every `interval`
seconds (at least once a second), step states first. Items leave the buffer only once the
server acknowledged them, so a batch that failed (a restarting server) is sent again; the
server ignores log lines it already stored (idempotent by step and position).
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring_ascii
from typing import TextIO

from conveyor.agent.client import (
    RpcClient,
    RpcRefusedError,
    ServerUnreachableError,
    StageLostError,
)
from conveyor.rpc.reports import EventBatch, LogBatch, LogLine, PullEvent, StepsReport, StepState

MAX_LINES = 10_000
"""Most log lines in one request."""
MAX_BYTES = 900_000
"""Most bytes of JSON log lines in one request: under the server's default body limit (1 MiB),
which refuses a larger request. The runner cuts lines at 64 KiB, so any one line fits."""
LINE_KEYS_BYTES = 70
"""Upper bound of a line's JSON besides its text: keys, step, position and time."""
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
        self._lines: list[LogLine] = []
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
        at = round(seconds, 3)
        with self._lock:
            while len(self._lines) >= MAX_PENDING and not self._cancel.is_set():
                self._room.wait(0.5)
            pos = self._positions.get(step, 0)
            self._positions[step] = pos + len(outs)
            self._lines.extend(
                LogLine(step=step, pos=pos + n, out=out, time=at) for n, out in enumerate(outs)
            )

    def event(self, event: PullEvent) -> None:
        """Queue a pull progress event (only the latest of each layer is kept)."""
        with self._lock:
            self._events[(event.step, event.image, event.layer)] = event

    def close(self) -> None:
        """Stop the background thread and send what is left (waits for the server)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.flush()

    def flush(self) -> None:
        """Send everything pending; what the server did not acknowledge stays queued."""
        with self._send_lock:
            try:
                self._send_steps()
                while self._send_lines():
                    pass
                self._send_events()
            except StageLostError as exc:
                self._on_lost(str(exc))
            except (RpcRefusedError, ServerUnreachableError) as exc:  # kept, sent again later
                self._err.write(f"conveyor agent: stage {self._stage}: {exc}\n")

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self.flush()

    def _send_steps(self) -> None:
        with self._lock:
            pending = dict(self._steps)
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
            batch = _batch(self._lines)
        if not batch:
            return False
        self._client.logs(self._stage, LogBatch(agent=self._agent, lines=batch))
        with self._lock:
            del self._lines[: len(batch)]
            self._room.notify_all()
            return bool(self._lines)

    def _send_events(self) -> None:
        with self._lock:
            events, self._events = self._events, {}
        if events:
            batch = EventBatch(agent=self._agent, events=tuple(events.values()))
            # progress is only for live readers: a lost batch is not sent again
            with contextlib.suppress(ServerUnreachableError):
                self._client.events(self._stage, batch)


def _batch(lines: list[LogLine]) -> tuple[LogLine, ...]:
    """The first lines of `lines` that fit in one request (at least one), measured as JSON
    encodes them (escapes included)."""
    size = 0
    for count, line in enumerate(lines[:MAX_LINES]):
        size += len(encode_basestring_ascii(line.out)) + LINE_KEYS_BYTES
        if size > MAX_BYTES and count:
            return tuple(lines[:count])
    return tuple(lines[:MAX_LINES])
