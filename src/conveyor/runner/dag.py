"""The pure scheduling state machine of a run: which steps start, which are skipped, the outcome.

Drone's rules: a step is ready when every step it depends on has finished (or, for a detached
step, has started); it then runs if the pipeline's state (failing or not) matches its
`when: status`, else it is skipped. Exit code 78 skips everything not started yet. No I/O, no
clock, no threads: the executor tells it what happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from conveyor.plan.model import FailurePolicy, RunPolicy, StepPlan

EXIT_SKIP_REST = 78
"""The exit code that means "success, and skip the remaining steps"."""


class StepStatus(StrEnum):
    """The life of one step; the last five are final."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCESS = "success"
    FAILURE = "failure"
    ERROR = "error"
    SKIPPED = "skipped"
    KILLED = "killed"


FINAL = frozenset(
    {
        StepStatus.SUCCESS,
        StepStatus.FAILURE,
        StepStatus.ERROR,
        StepStatus.SKIPPED,
        StepStatus.KILLED,
    }
)
BAD = frozenset({StepStatus.FAILURE, StepStatus.ERROR, StepStatus.KILLED})


class RunStatus(StrEnum):
    """The outcome of a whole run."""

    SUCCESS = "success"
    FAILURE = "failure"
    KILLED = "killed"


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """What the scheduler needs to know of a step."""

    name: str
    depends_on: tuple[str, ...] = ()
    run_policy: RunPolicy = RunPolicy.ON_SUCCESS
    skip_reason: str | None = None
    failure_policy: FailurePolicy = FailurePolicy.FAIL
    detach: bool = False

    @classmethod
    def of(cls, step: StepPlan) -> Node:
        """The node of a plan step."""
        return cls(
            name=step.name,
            depends_on=step.depends_on,
            run_policy=step.run_policy,
            skip_reason=step.skip_reason,
            failure_policy=step.failure_policy,
            detach=step.detach,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Decisions:
    """What `advance` decided: steps to start now, and steps skipped with their reason."""

    start: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()


class Schedule:
    """The state of every step of one run. Unknown dependencies are ignored (lint reports them)."""

    def __init__(self, nodes: Sequence[Node], *, parallel: int) -> None:
        if parallel < 1:
            raise ValueError("parallel must be at least 1")
        self._nodes = {node.name: node for node in nodes}
        self._order = [node.name for node in nodes]
        self._status = dict.fromkeys(self._order, StepStatus.PENDING)
        self._background: set[str] = set()
        self._parallel = parallel
        self._halted = False
        self._cancelled = False

    def status(self, name: str) -> StepStatus:
        """The current status of step `name`."""
        return self._status[name]

    @property
    def failing(self) -> bool:
        """Whether a step failed in a way that fails the pipeline."""
        return any(
            status in BAD and self._nodes[name].failure_policy is not FailurePolicy.IGNORE
            for name, status in self._status.items()
        )

    @property
    def running(self) -> tuple[str, ...]:
        """Steps that hold a slot (started and not finished; detached ones excluded)."""
        return tuple(
            name
            for name in self._order
            if self._status[name] is StepStatus.RUNNING and name not in self._background
        )

    @property
    def background(self) -> tuple[str, ...]:
        """Detached steps started and not finished yet."""
        return tuple(n for n in self._order if n in self._background)

    @property
    def done(self) -> bool:
        """Nothing pending and nothing holding a slot (detached steps may still run)."""
        return all(
            status in FINAL or name in self._background for name, status in self._status.items()
        )

    def outcome(self) -> RunStatus:
        """The run's result so far."""
        if self._cancelled:
            return RunStatus.KILLED
        return RunStatus.FAILURE if self.failing else RunStatus.SUCCESS

    def advance(self) -> Decisions:
        """Skip what can no longer run and start what is ready, within the parallel limit."""
        start: list[str] = []
        skipped: list[tuple[str, str]] = []
        changed = True
        while changed:
            changed = False
            for name in self._order:
                if self._status[name] is not StepStatus.PENDING or not self._ready(name):
                    continue
                reason = self._skip_reason(self._nodes[name])
                if reason is not None:
                    self._status[name] = StepStatus.SKIPPED
                    skipped.append((name, reason))
                    changed = True
                elif len(self.running) < self._parallel:
                    self._status[name] = StepStatus.RUNNING
                    start.append(name)
        if not start and not self.running and not self.done:
            skipped.extend(self._strand())
        return Decisions(start=tuple(start), skipped=tuple(skipped))

    def _strand(self) -> list[tuple[str, str]]:
        # Nothing runs and nothing can start: only a dependency cycle gets here.
        stuck = [name for name in self._order if self._status[name] is StepStatus.PENDING]
        for name in stuck:
            self._status[name] = StepStatus.SKIPPED
        return [(name, "its dependencies form a cycle") for name in stuck]

    def _ready(self, name: str) -> bool:
        if self._cancelled or self._halted:
            return True
        for dep in self._nodes[name].depends_on:
            status = self._status.get(dep)
            if status is None or status in FINAL or dep in self._background:
                continue
            return False
        return True

    def _skip_reason(self, node: Node) -> str | None:
        if self._cancelled:
            return "the run was cancelled"
        if self._halted:
            return f"a step exited with code {EXIT_SKIP_REST}"
        if node.skip_reason is not None:
            return node.skip_reason
        if not node.run_policy.runs(failing=self.failing):
            if self.failing:
                return "an earlier step failed"
            return "it runs only when the pipeline fails"
        return None

    def detached(self, name: str) -> None:
        """A detached step started: its dependents may go, and it frees its slot."""
        self._expect(name, StepStatus.RUNNING)
        self._background.add(name)

    def finish(self, name: str, status: StepStatus, exit_code: int | None = None) -> None:
        """Step `name` ended with `status`; exit code 78 halts the rest of the run."""
        self._expect(name, StepStatus.RUNNING)
        if status not in FINAL or status is StepStatus.SKIPPED:
            raise ValueError(f"a started step cannot finish as {status}")
        self._status[name] = status
        self._background.discard(name)
        if exit_code == EXIT_SKIP_REST and status is StepStatus.SUCCESS:
            self._halted = True

    def cancel(self) -> tuple[str, ...]:
        """Stop everything: pending steps will be skipped; returns the started ones to kill."""
        self._cancelled = True
        return tuple(n for n in self._order if self._status[n] is StepStatus.RUNNING)

    def _expect(self, name: str, status: StepStatus) -> None:
        if self._status[name] is not status:
            raise ValueError(f"step {name!r} is {self._status[name]}, not {status}")


def status_of_exit(exit_code: int) -> StepStatus:
    """0 and 78 are success; any other code is a failure."""
    return StepStatus.SUCCESS if exit_code in (0, EXIT_SKIP_REST) else StepStatus.FAILURE
