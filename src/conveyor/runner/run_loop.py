"""The executor's main loop: feeds the Schedule, starts step threads, enforces time limits.

One thread (the caller's) owns the Schedule; step threads only post messages. Cancellation
(a set `cancel` event, the run's time limit) stops the containers and skips what has not
started. It never creates or removes run resources itself (the executor does).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from conveyor.plan.model import FailurePolicy, StepKind, StepPlan
from conveyor.runner import step_worker
from conveyor.runner.dag import RunStatus, Schedule, StepStatus, status_of_exit
from conveyor.runner.events import StepFinished, StepResult
from conveyor.runner.step_worker import Ended, Message, Started, StepContext

POLL_SECONDS = 0.1
"""How often the loop looks at the cancel flag and the clocks when no step reports."""
ABANDON_SECONDS = 15.0
"""After a cancel, how long to wait for steps (e.g. a pull in progress) before giving up."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Time limits (seconds; None: none) and the SIGTERM-to-SIGKILL grace for stops."""

    step_timeout: float | None = None
    run_timeout: float | None = None
    stop_grace: float = 1.0


class RunLoop:
    """Drives one run's steps to final statuses; `drive` returns a run-level message or None."""

    def __init__(
        self,
        *,
        steps: Sequence[StepPlan],
        schedule: Schedule,
        context: StepContext,
        inbox: queue.Queue[Message],
        limits: Limits,
        cancel: threading.Event,
        janitor: ThreadPoolExecutor,
        clock: Callable[[], float],
        cancel_grace: float | None = None,
    ) -> None:
        self._steps = {step.name: step for step in steps}
        self._cancel_grace = limits.stop_grace if cancel_grace is None else cancel_grace
        self._grace = limits.stop_grace
        """The SIGTERM-to-SIGKILL grace of the stops from now on (a cancel may shorten it)."""
        self._schedule = schedule
        self._context = context
        self._limits = limits
        self._cancel = cancel
        self._janitor = janitor
        self._clock = clock
        self._inbox = inbox
        self._began: dict[str, float] = {}
        self._killing: dict[str, str] = {}
        self._stopping: set[str] = set()
        self._unstopped: set[str] = set()
        """Killed steps whose container was being created: stopped once it is registered."""
        self._results: dict[str, StepResult] = {}
        self._message: str | None = None
        self._abandon_at: float | None = None
        self._start = clock()

    def outcome(self) -> RunStatus:
        """The run's status (killed when cancelled or out of time)."""
        return self._schedule.outcome()

    def results(self) -> tuple[StepResult, ...]:
        """Final results in plan order."""
        return tuple(self._results[name] for name in self._steps if name in self._results)

    def drive(self) -> str | None:
        """Run until every step is final; the message says why the run was cut short, if it was."""
        while True:
            self._advance()
            if self._schedule.done:
                break
            self._receive(POLL_SECONDS)
            self._check_limits()
        self._stop_background()
        return self._message

    def _advance(self) -> None:
        decisions = self._schedule.advance()
        for name, reason in decisions.skipped:
            self._record(name, StepStatus.SKIPPED, None, reason, began=None)
        for name in decisions.start:
            self._began[name] = self._clock()
            step_worker.launch(self._context, self._steps[name])

    def _receive(self, timeout: float) -> None:
        try:
            message = self._inbox.get(timeout=timeout)
        except queue.Empty:
            return
        while True:
            self._handle(message)
            try:
                message = self._inbox.get_nowait()
            except queue.Empty:
                return

    def _handle(self, message: Message) -> None:
        name = message.step
        if self._schedule.status(name) is not StepStatus.RUNNING:
            return  # abandoned after a cancel; its late report changes nothing
        if isinstance(message, Started):
            if _detached(self._steps[name]):
                self._schedule.detached(name)
            return
        status, text = self._judge(message)
        self._schedule.finish(name, status, message.exit_code)
        # A background container stopped by the run has no exit code worth showing.
        code = None if name in self._stopping else message.exit_code
        self._record(name, status, code, text, began=self._began.get(name))
        container = self._context.tracker.get(name)
        if container is not None and not _detached(self._steps[name]):
            self._janitor.submit(self._context.engine.remove, container)

    def _judge(self, message: Ended) -> tuple[StepStatus, str | None]:
        name = message.step
        if name in self._killing:
            return StepStatus.KILLED, self._killing[name]
        if message.refused:
            return StepStatus.KILLED, "the run was cancelled"
        if message.error is not None:
            return StepStatus.ERROR, message.error
        if message.exit_code is None:
            return StepStatus.ERROR, "the engine lost the container's exit code"
        if name in self._schedule.background:
            if name in self._stopping or message.exit_code == 0:
                return StepStatus.SUCCESS, None
            return StepStatus.SUCCESS, f"exited with code {message.exit_code} in the background"
        status = status_of_exit(message.exit_code)
        if (
            status is StepStatus.FAILURE
            and self._steps[name].failure_policy is FailurePolicy.IGNORE
        ):
            return status, "ignored (failure: ignore)"
        return status, None

    def _record(
        self,
        name: str,
        status: StepStatus,
        exit_code: int | None,
        message: str | None,
        *,
        began: float | None,
    ) -> None:
        step = self._steps[name]
        result = StepResult(
            name=name,
            kind=step.kind,
            status=status,
            exit_code=exit_code,
            seconds=0.0 if began is None else self._clock() - began,
            message=message,
            detached=_detached(step),
        )
        self._results[name] = result
        self._context.emit(StepFinished(result=result))

    def _check_limits(self) -> None:
        now = self._clock()
        if self._cancel.is_set() and self._abandon_at is None:
            self._grace = self._cancel_grace
            self._kill_all("the run was interrupted")
        limit = self._limits.run_timeout
        if limit is not None and now - self._start > limit and self._abandon_at is None:
            self._message = f"the run exceeded its time limit of {limit:g}s"
            self._kill_all(self._message)
        step_limit = self._limits.step_timeout
        if step_limit is not None:
            for name in self._schedule.running:
                if name not in self._killing and now - self._began[name] > step_limit:
                    self._kill(name, f"the step exceeded its time limit of {step_limit:g}s")
        for name in tuple(self._unstopped):
            if self._context.tracker.get(name) is not None:
                self._unstopped.discard(name)
                self._stop(name, self._grace)
        if self._abandon_at is not None and now > self._abandon_at:
            self._abandon("did not stop after the run was cancelled")

    def _kill_all(self, reason: str) -> None:
        self._abandon_at = self._clock() + self._grace + ABANDON_SECONDS
        for name in self._schedule.cancel():
            self._killing.setdefault(name, reason)
        self._context.tracker.close(timeout=ABANDON_SECONDS)
        for name in tuple(self._killing):
            self._halt(name)

    def _kill(self, name: str, reason: str) -> None:
        self._killing[name] = reason
        self._halt(name)

    def _halt(self, name: str) -> None:
        """Stop the container of `name`; with none (still pulling), the step ends now."""
        if self._schedule.status(name) is not StepStatus.RUNNING:
            return
        if self._context.tracker.refuse(name):
            # No container, and the tracker will let none be created: nothing to wait for.
            self._schedule.finish(name, StepStatus.KILLED)
            reason = self._killing[name]
            self._record(name, StepStatus.KILLED, None, reason, began=self._began.get(name))
        elif self._context.tracker.get(name) is None:
            self._unstopped.add(name)
        else:
            self._stop(name, self._grace)

    def _stop(self, name: str, grace: float) -> None:
        container = self._context.tracker.get(name)
        if container is not None:
            self._janitor.submit(self._context.engine.stop, container, grace)

    def _stop_background(self) -> None:
        self._receive(0.0)  # reports already in: a container that ended on its own keeps its code
        names = self._schedule.background
        if not names:
            return
        for name in names:
            if self._context.tracker.exited(name):
                continue  # it exited on its own; its report is on the way
            self._stopping.add(name)
            self._stop(name, 0.0)
        deadline = self._clock() + ABANDON_SECONDS
        while self._schedule.background and self._clock() < deadline:
            self._receive(POLL_SECONDS)
        self._abandon("did not stop at the end of the run")

    def _abandon(self, reason: str) -> None:
        stuck = [*self._schedule.running, *self._schedule.background]
        for name in stuck:
            self._schedule.finish(name, StepStatus.KILLED)
            self._record(name, StepStatus.KILLED, None, reason, began=self._began.get(name))
        if not self._schedule.done:
            self._advance()


def _detached(step: StepPlan) -> bool:
    return step.detach or step.kind is StepKind.SERVICE
