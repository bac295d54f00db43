"""A scriptable in-memory Engine for scheduling tests: no Docker, same contract.

Each step name maps to a `FakeStep` (exit code, output, errors, whether it runs until stopped).
The fake records every call and the peak number of running containers. It must never stand in
for Docker in a test that claims Docker behaviour.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from conveyor.engine.contract import (
    ContainerEnv,
    ImageInfo,
    Leftover,
    LogStream,
    PullProgress,
    PullResult,
    ResourceKind,
    RunSpec,
)
from conveyor.errors import EngineError, PullError
from conveyor.plan.model import StepPlan

if TYPE_CHECKING:
    from conveyor.images.credentials import Credential
    from conveyor.images.reference import Reference

STOPPED_EXIT = 137
"""Exit code of a fake container that was stopped (SIGKILL)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FakeStep:
    """How the container of one step behaves."""

    exit_code: int = 0
    output: tuple[tuple[LogStream, bytes], ...] = ()
    create_error: str | None = None
    start_error: str | None = None
    runs_until_stopped: bool = False
    gate: threading.Event | None = None
    """If set, the container runs until this event is set (or it is stopped)."""


@dataclass(slots=True, kw_only=True)
class _Container:
    step: StepPlan
    script: FakeStep
    env: ContainerEnv
    stopped: threading.Event = field(default_factory=threading.Event)
    exited: threading.Event = field(default_factory=threading.Event)
    exit_code: int | None = None


class FakeEngine:
    """An Engine whose containers follow a script; thread-safe like the real one."""

    def __init__(
        self,
        script: Mapping[str, FakeStep] | None = None,
        *,
        images: Mapping[str, ImageInfo] | None = None,
        pull_errors: Mapping[str, str] | None = None,
        on_call: Callable[[str, str], None] | None = None,
    ) -> None:
        self.script = dict(script or {})
        self.images: dict[str, ImageInfo] = dict(images or {})
        self.pull_errors = dict(pull_errors or {})
        self.calls: list[tuple[str, str]] = []
        self.envs: dict[str, ContainerEnv] = {}
        self.pulled_with: dict[str, list[Credential]] = {}
        self.runs: dict[str, RunSpec] = {}
        self.peak_running = 0
        self._on_call = on_call
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._containers: dict[str, _Container] = {}
        self._running = 0

    def _record(self, call: str, subject: str) -> None:
        with self._lock:
            self.calls.append((call, subject))
        if self._on_call is not None:
            self._on_call(call, subject)

    def names(self, call: str) -> list[str]:
        """Subjects of every `call` made, in order (e.g. the steps that were started)."""
        with self._lock:
            return [subject for made, subject in self.calls if made == call]

    def setup(self, run: RunSpec) -> None:
        """Remember the run."""
        self._record("setup", run.run_id)
        self.runs[run.run_id] = run

    def image_info(self, reference: str) -> ImageInfo | None:
        """The scripted cache."""
        self._record("inspect", reference)
        return self.images.get(reference)

    def pull(
        self,
        reference: Reference,
        candidates: Sequence[Credential],
        on_progress: Callable[[PullProgress], None] | None = None,
    ) -> PullResult:
        """Succeeds (adding the image to the cache) unless a pull error is scripted."""
        image = reference.string()
        self._record("pull", image)
        self.pulled_with[image] = list(candidates)
        if image in self.pull_errors:
            raise PullError(self.pull_errors[image])
        if on_progress is not None:
            on_progress(PullProgress(layer="fake", status="Pull complete", current=1, total=1))
        info = ImageInfo(image_id=f"sha256:{hashlib.sha256(image.encode()).hexdigest()}")
        self.images[image] = info
        return PullResult(
            reference=image,
            digest=f"sha256:{'0' * 64}",
            image_id=info.image_id,
            credential=candidates[0] if candidates else None,
            attempts=1,
        )

    def create(self, run: RunSpec, step: StepPlan, env: ContainerEnv) -> str:
        """A container for the scripted step (default: exit 0, no output)."""
        self._record("create", step.name)
        script = self.script.get(step.name, FakeStep())
        if script.create_error is not None:
            raise EngineError(script.create_error)
        ident = f"fake-{next(self._ids)}"
        with self._lock:
            self._containers[ident] = _Container(step=step, script=script, env=env)
            self.envs[step.name] = env
        return ident

    def start(self, container: str) -> Iterator[tuple[LogStream, bytes]]:
        """Run the script: output, then (maybe) wait for the gate or a stop."""
        box = self._containers[container]
        self._record("start", box.step.name)
        if box.script.start_error is not None:
            raise EngineError(box.script.start_error)
        with self._lock:
            self._running += 1
            self.peak_running = max(self.peak_running, self._running)
        return self._output(box)

    def _output(self, box: _Container) -> Iterator[tuple[LogStream, bytes]]:
        try:
            yield from box.script.output
            if box.script.runs_until_stopped:
                box.stopped.wait()
            elif box.script.gate is not None:
                while not box.script.gate.wait(0.01) and not box.stopped.is_set():
                    pass
        finally:
            with self._lock:
                self._running -= 1
            box.exit_code = STOPPED_EXIT if box.stopped.is_set() else box.script.exit_code
            box.exited.set()

    def wait(self, container: str, timeout: float | None = None) -> int | None:
        """The scripted exit code (137 when stopped)."""
        box = self._containers[container]
        if not box.exited.wait(timeout):
            return None
        return box.exit_code

    def stop(self, container: str, grace: float = 2.0) -> None:
        """Makes a running fake container exit."""
        box = self._containers.get(container)
        if box is not None:
            self._record("stop", box.step.name)
            box.stopped.set()

    def remove(self, container: str) -> None:
        """Forget the container."""
        box = self._containers.get(container)
        if box is not None:
            self._record("remove", box.step.name)
            box.stopped.set()

    def destroy(self, run: RunSpec) -> list[str]:
        """Stop everything; no warnings."""
        self._record("destroy", run.run_id)
        for box in list(self._containers.values()):
            box.stopped.set()
        return []

    def leftovers(self) -> list[Leftover]:
        """Nothing is ever left over in memory."""
        return []

    def remove_leftovers(self, leftovers: Sequence[Leftover]) -> list[str]:
        """Nothing to do."""
        return [f"unexpected {ResourceKind.CONTAINER} {item.name}" for item in leftovers]
