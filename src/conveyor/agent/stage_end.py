"""The end of a stage as the server hears it: the last step states and log lines, then `done`.

Sent once, from its own thread, as soon as the stage's steps have ended: the stage's teardown
(containers, network, volumes, the checkout) waits up to `REPORT_FIRST` seconds for the server
to take it, so the build shows finished before the teardown starts, while a server that is
slow or away (the client retries for minutes) never holds the teardown back. Steps the run
never ended are left to the server's rule (docs/agent-protocol.md: a started step takes the
stage's status, one that never started is `skipped`). No `done` is sent when the server said
the stage is not this agent's any more.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from conveyor.agent.heartbeat import Heartbeat
from conveyor.agent.reporter import Reporter
from conveyor.agent.sink import AgentSink
from conveyor.rpc.reports import DoneReport, StageEnd

REPORT_FIRST = 15.0
"""Seconds the teardown waits for the end of the stage to be reported."""

Send = Callable[[DoneReport], None]
"""Sends the `done` report (and says on stderr when it cannot)."""


class StageEnding:
    """Reports the end of one stage once; `close` waits for the report."""

    def __init__(
        self,
        *,
        agent: str,
        beat: Heartbeat,
        reporter: Reporter,
        sink: AgentSink,
        stopping: threading.Event,
        send: Send,
    ) -> None:
        self._agent, self._beat, self._reporter, self._sink = agent, beat, reporter, sink
        self._stopping, self._send = stopping, send
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.status: StageEnd | None = None
        """The stage's end as reported (None until the report was made)."""

    def report(self, status: StageEnd, error: str, *, wait: float | None = REPORT_FIRST) -> None:
        """Start reporting the end (the first call only; later calls change nothing), then
        wait up to `wait` seconds (None: until it is sent)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._report, args=(status, error), name="stage-end", daemon=True
                )
                self._thread.start()
            thread = self._thread
        thread.join(wait)

    def close(self) -> None:
        """Wait for the report; without one (the run broke), stop the heartbeat and send the
        pending step states and lines, but no `done` (the lease runs out on the server)."""
        with self._lock:
            thread = self._thread
        if thread is None:
            self._beat.stop()
            self._reporter.close()
            return
        thread.join()

    def _report(self, status: StageEnd, error: str) -> None:
        self._beat.stop()
        self._reporter.close()
        if self._beat.cancelled or (self._stopping.is_set() and status is not StageEnd.SUCCESS):
            status = StageEnd.KILLED
        self.status = status
        if self._beat.lost is None:
            steps = self._sink.known_steps()
            self._send(DoneReport(agent=self._agent, status=status, error=error, steps=steps))
