"""The runner's events as the protocol's reports: step states, numbered log lines, pull events.

Steps are known to the server by number (the assignment's list, clone first); the runner names
them. Log text from the runner is already masked. `known_steps` gives the last state of every
step the run reached, for the `done` report; the server ends the others (one rule for the
agent and the server: a step that started takes the stage's status, one that never started is
`skipped`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from conveyor.agent.reporter import Reporter
from conveyor.rpc.reports import PullEvent, StepState, StepStatus
from conveyor.runner.events import (
    Event,
    LogLines,
    Notice,
    PullProgressed,
    RunFinished,
    StepFinished,
    StepStarted,
)


class AgentSink:
    """An `EventSink` that fills a stage's `Reporter`."""

    def __init__(
        self,
        reporter: Reporter,
        numbers: Mapping[str, int],
        *,
        notice: Callable[[str], None],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._reporter = reporter
        self._numbers = dict(numbers)
        self._notice = notice
        self._clock = clock
        self._started: dict[int, float] = {}
        self.states: dict[int, StepState] = {}
        self.finished: RunFinished | None = None

    def emit(self, event: Event) -> None:
        """Turn one runner event into reports."""
        if isinstance(event, LogLines):
            self.lines(event.step, event.lines)
        elif isinstance(event, StepStarted):
            self.started(event.step)
        elif isinstance(event, StepFinished):
            result = event.result
            self.ended(
                result.name,
                StepStatus(result.status.value),
                exit_code=result.exit_code,
                error=result.message or "",
            )
        elif isinstance(event, PullProgressed):
            self._pulled(event)
        elif isinstance(event, Notice):
            self._notice(event.message)
        elif isinstance(event, RunFinished):
            self.finished = event

    def started(self, step: str) -> None:
        """`step` runs from now."""
        number = self._numbers.get(step)
        if number is None:
            return
        now = self._clock()
        self._started[number] = now
        self._set(StepState(number=number, status=StepStatus.RUNNING, started=int(now)))

    def lines(self, step: str, lines: tuple[str, ...]) -> None:
        """Lines of `step` (without their line breaks), already masked."""
        number = self._numbers.get(step)
        if number is None:
            return
        since = self._clock() - self._started.get(number, self._clock())
        self._reporter.lines(number, [line + "\n" for line in lines], since)

    def ended(
        self, step: str, status: StepStatus, *, exit_code: int | None = None, error: str = ""
    ) -> None:
        """`step` reached `status` (skipped steps included)."""
        number = self._numbers.get(step)
        if number is None:
            return
        now = int(self._clock())
        start = self._started.get(number)
        self._set(
            StepState(
                number=number,
                status=status,
                started=now if start is None else int(start),
                finished=now,
                exit_code=exit_code,
                error=error,
            )
        )

    def known_steps(self) -> tuple[StepState, ...]:
        """The last state of every step the run reached, in step order."""
        return tuple(self.states[number] for number in sorted(self.states))

    def _set(self, state: StepState) -> None:
        self.states[state.number] = state
        self._reporter.step(state)

    def _pulled(self, event: PullProgressed) -> None:
        number = self._numbers.get(event.step)
        if number is None:
            return
        progress = event.progress
        self._reporter.event(
            PullEvent(
                step=number,
                image=event.image,
                layer=progress.layer,
                status=progress.status,
                current=progress.current,
                total=progress.total,
            )
        )
