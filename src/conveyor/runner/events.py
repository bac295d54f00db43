"""What a run reports as it goes: plain event values sent to an `EventSink`.

Log text in events is already masked; no event carries a secret value. The executor calls
`emit` from one thread at a time, so a sink needs no locking of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from conveyor.engine.contract import LogStream, PullProgress
from conveyor.images.policy import PullPolicy
from conveyor.plan.model import StepKind
from conveyor.runner.dag import RunStatus, StepStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class StepResult:
    """How one step (or service) ended."""

    name: str
    kind: StepKind
    status: StepStatus
    exit_code: int | None = None
    seconds: float = 0.0
    message: str | None = None
    detached: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RunStarted:
    """The run's resources are being set up."""

    run_id: str
    pipeline: str
    steps: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageCached:
    """A step runs the cached image, as its pull policy allows."""

    step: str
    image: str
    policy: PullPolicy


@dataclass(frozen=True, slots=True, kw_only=True)
class PullStarted:
    """A pull of `image` began for `step`."""

    step: str
    image: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PullProgressed:
    """One progress message of a pull (a layer's status and bytes)."""

    step: str
    image: str
    progress: PullProgress


@dataclass(frozen=True, slots=True, kw_only=True)
class PullFinished:
    """A pull succeeded; `credential_source` names where the login came from (None: anonymous)."""

    step: str
    image: str
    digest: str | None
    seconds: float
    credential_source: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StepStarted:
    """The container of `step` started."""

    step: str
    image: str
    kind: StepKind
    detached: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class LogLines:
    """Complete, masked lines of output (without their line breaks)."""

    step: str
    stream: LogStream
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class StepFinished:
    """A step reached a final status (skipped steps included)."""

    result: StepResult


@dataclass(frozen=True, slots=True, kw_only=True)
class Notice:
    """Something the user should know that is not a step's output (warnings, cleanup)."""

    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RunFinished:
    """Every step has ended; the run's containers, network and volumes are removed next
    (cleanup notices may follow)."""

    run_id: str
    status: RunStatus
    results: tuple[StepResult, ...]
    seconds: float
    message: str | None = None


Event = (
    RunStarted
    | ImageCached
    | PullStarted
    | PullProgressed
    | PullFinished
    | StepStarted
    | LogLines
    | StepFinished
    | Notice
    | RunFinished
)


class EventSink(Protocol):
    """Where events go (the console, a test's recorder, a server)."""

    def emit(self, event: Event) -> None:
        """Handle one event; called by one thread at a time."""
        ...


class Recorder:
    """A sink that keeps every event, for tests and for callers that render afterwards."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def emit(self, event: Event) -> None:
        """Keep `event`."""
        self.events.append(event)

    def lines(self, step: str) -> list[str]:
        """Every log line of `step`, in order."""
        return [
            line
            for event in self.events
            if isinstance(event, LogLines) and event.step == step
            for line in event.lines
        ]

    def text(self) -> str:
        """All log lines of every step, one per line."""
        return "\n".join(
            line for event in self.events if isinstance(event, LogLines) for line in event.lines
        )
