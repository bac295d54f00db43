"""The thread body of one step: image, create, start, stream masked output, wait.

It reports to the executor through `post` and never decides statuses: a non-zero exit code is
a result, and an error (pull, create) is reported as text for the executor to turn into the
`error` status. Every exception ends as a report, so the executor never waits forever.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from conveyor.engine.contract import Engine, LogStream, RunSpec
from conveyor.errors import ConveyorError
from conveyor.plan.model import StepKind, StepPlan
from conveyor.runner.environment import container_environment
from conveyor.runner.events import Event, LogLines, StepStarted
from conveyor.runner.image_stage import ImageStage
from conveyor.runner.log_lines import LineSplitter
from conveyor.runner.tracking import ContainerTracker
from conveyor.secrets.masking import Masker


@dataclass(frozen=True, slots=True, kw_only=True)
class Started:
    """The step's container runs (a detached step frees its slot now)."""

    step: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Ended:
    """The step is over: an exit code, or an error message (masked), or refused (run closing)."""

    step: str
    exit_code: int | None = None
    error: str | None = None
    refused: bool = False


Message = Started | Ended


@dataclass(frozen=True, slots=True, kw_only=True)
class StepContext:
    """Everything the step threads of one run share."""

    engine: Engine
    run: RunSpec
    images: ImageStage
    tracker: ContainerTracker
    masker: Masker | None
    secrets: Mapping[str, str]
    extra_env: Mapping[str, str]
    emit: Callable[[Event], None]
    post: Callable[[Message], None]


def launch(context: StepContext, step: StepPlan) -> threading.Thread:
    """Start the thread of `step`."""
    thread = threading.Thread(
        target=_run_step, args=(context, step), name=f"conveyor-step-{step.name}", daemon=True
    )
    thread.start()
    return thread


def _run_step(context: StepContext, step: StepPlan) -> None:
    try:
        _steps_of(context, step)
    except ConveyorError as exc:
        context.post(Ended(step=step.name, error=_masked(context, exc.render())))
    except Exception as exc:  # noqa: BLE001 - a step thread must always report back
        text = f"unexpected {type(exc).__name__}: {exc}"
        context.post(Ended(step=step.name, error=_masked(context, text)))


def _steps_of(context: StepContext, step: StepPlan) -> None:
    context.images.ensure(step)
    env = container_environment(step, context.secrets, context.extra_env)
    if not context.tracker.begin_launch(step.name):
        context.post(Ended(step=step.name, refused=True))
        return
    container: str | None = None
    try:
        container = context.engine.create(context.run, step, env)
        output = context.engine.start(container)
    finally:
        context.tracker.end_launch(step.name, container)
    detached = step.detach or step.kind is StepKind.SERVICE
    context.emit(StepStarted(step=step.name, image=step.image, kind=step.kind, detached=detached))
    context.post(Started(step=step.name))

    def emit_lines(stream: LogStream, lines: tuple[str, ...]) -> None:
        context.emit(LogLines(step=step.name, stream=stream, lines=lines))

    splitter = LineSplitter(context.masker, emit_lines)
    for stream, data in output:
        splitter.feed(stream, data)
    context.tracker.mark_exited(step.name)
    splitter.close()
    context.post(Ended(step=step.name, exit_code=context.engine.wait(container)))


def _masked(context: StepContext, text: str) -> str:
    return context.masker.mask(text) if context.masker is not None else text
