"""Runs a StageJob on an Engine: secrets and credentials, pre-flight checks, setup, the loop,
the end, cleanup.

The plan holds secret references; values come with the job and go only into container
environments and the masker; secrets of a pull request build are withheld here, once. A failing
step is a result (`RunFinished.status`); only bad input (a missing secret, a malformed
credential) raises. The end (`RunFinished` to the sink, then the host's `on_finished`) comes
once every step has ended, before the cleanup, so that a host can show the result while the
containers, network and volumes are removed. Cleanup always runs, even on Ctrl-C and when
`on_finished` raises.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Protocol

from conveyor.engine.contract import Engine, Owner, RunSpec
from conveyor.engine.labels import current_owner, new_run_id
from conveyor.errors import ConveyorError
from conveyor.images.credentials import Credential
from conveyor.images.dockerconfig import login_values
from conveyor.images.reference import Reference
from conveyor.plan.model import StepKind, StepPlan
from conveyor.registry.settings import RegistrySources
from conveyor.runner.dag import Node, RunStatus, Schedule, StepStatus
from conveyor.runner.environment import require_secrets
from conveyor.runner.events import (
    Event,
    EventSink,
    Notice,
    RunFinished,
    RunStarted,
    StepFinished,
    StepResult,
)
from conveyor.runner.image_guard import ImageGuard
from conveyor.runner.image_stage import ImageStage
from conveyor.runner.job import StageJob
from conveyor.runner.run_loop import ABANDON_SECONDS, RunLoop
from conveyor.runner.step_worker import Message, StepContext
from conveyor.runner.tracking import ContainerTracker
from conveyor.secrets.masking import Masker


class CredentialSource(Protocol):
    """What the executor needs of registry.sources.CredentialSet."""

    problems: list[str]

    def candidates_for(self, reference: Reference) -> list[Credential]:
        """Credentials to try for `reference`, in order."""
        ...


FinishedHook = Callable[[RunFinished], None]
"""Called with the run's end once every step has ended, before the cleanup."""

CredentialCollector = Callable[
    [Sequence[tuple[str, str]], RegistrySources, Mapping[str, str]], CredentialSource
]
"""(secret name, config.json text) pairs, the job's other sources and its build -> the
credential set (registry.sources.collect_credentials; tests pass a stand-in)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class _Prepared:
    run: RunSpec
    steps: Sequence[StepPlan]
    images: ImageStage
    masker: Masker | None
    secrets: Mapping[str, str] = field(repr=False)


class Executor:
    """Runs stage jobs on `engine`, reporting to `sink`; one run at a time per instance."""

    def __init__(
        self,
        engine: Engine,
        *,
        sink: EventSink,
        guard: ImageGuard,
        credentials: CredentialCollector | None = None,
        cancel: threading.Event | None = None,
        cancel_grace: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        owner: Owner | None = None,
        on_finished: FinishedHook | None = None,
    ) -> None:
        self._engine = engine
        self._on_finished = on_finished
        self._cancel_grace = cancel_grace
        self._sink = sink
        self._guard = guard
        self._credentials = credentials or _collect_credentials
        self.cancel = cancel or threading.Event()
        self._clock = clock
        self._owner = owner
        self._emit_lock = threading.Lock()

    def emit(self, event: Event) -> None:
        """Send one event to the sink, one thread at a time."""
        with self._emit_lock:
            self._sink.emit(event)

    def run(self, job: StageJob) -> RunFinished:
        """Run `job` to the end (or until `cancel` is set); raises only for bad input."""
        plan, secrets, withheld = job.plan, job.usable_secrets(), job.withheld_secrets()
        began = self._clock()
        steps = _ordered(plan.steps)
        run = RunSpec(
            run_id=new_run_id(),
            owner=self._owner or current_owner(),
            workspace_path=plan.workspace_path,
            workspace_base=plan.workspace_base,
            volumes=plan.volumes,
            workspace_source=job.workspace_source,
            workspace_exclude=job.workspace_exclude,
        )
        if plan.skip_reason is not None:
            self.emit(RunStarted(run_id=run.run_id, pipeline=plan.pipeline, steps=_names(steps)))
            return self._skip_all(run, steps, began, f"pipeline skipped: {plan.skip_reason}")
        active = [step for step in steps if step.skip_reason is None]
        require_secrets(active, secrets, withheld)
        for name in sorted({n for step in active for n in step.secrets.values()}):
            if name in withheld:
                self.emit(
                    Notice(
                        message=f"secret {name!r} is withheld from this pull request build; "
                        "the steps that use it see no value"
                    )
                )
        credentials = self._credential_set(job, secrets)
        values = [value for value in secrets.values() if value]
        for name in plan.registry_secrets:  # each login of a config.json, on its own too
            values.extend(login_values(secrets.get(name, "")))
        masker = Masker(values) if values else None
        images = ImageStage(
            self._engine, credentials=credentials, guard=self._guard, emit=self.emit
        )
        self.emit(RunStarted(run_id=run.run_id, pipeline=plan.pipeline, steps=_names(steps)))
        problems = images.preflight(step for step in active if step.run_policy.runs(failing=False))
        if problems:
            return self._refuse(run, steps, problems, began)
        context = _Prepared(run=run, steps=steps, images=images, masker=masker, secrets=secrets)
        return self._execute(context, job, began)

    def _execute(self, prepared: _Prepared, job: StageJob, began: float) -> RunFinished:
        run, steps = prepared.run, prepared.steps
        tracker = ContainerTracker()
        janitor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="conveyor-janitor")
        inbox: queue.Queue[Message] = queue.Queue()
        services = tuple(step.name for step in steps if step.kind is StepKind.SERVICE)
        schedule = Schedule([_node(step, services) for step in steps], parallel=job.parallel)
        loop = RunLoop(
            steps=steps,
            schedule=schedule,
            context=StepContext(
                engine=self._engine,
                run=run,
                images=prepared.images,
                tracker=tracker,
                masker=prepared.masker,
                secrets=prepared.secrets,
                extra_env=job.extra_env,
                emit=self.emit,
                post=inbox.put,
            ),
            inbox=inbox,
            limits=job.limits,
            cancel=self.cancel,
            cancel_grace=self._cancel_grace,
            janitor=janitor,
            clock=self._clock,
        )
        try:
            self._engine.setup(run)
            message = loop.drive()
            return self._finish(run, loop.outcome(), loop.results(), began, message)
        finally:
            self._cleanup(run, tracker, janitor)

    def _credential_set(self, job: StageJob, secrets: Mapping[str, str]) -> CredentialSource:
        configs: list[tuple[str, str]] = []
        withheld = job.withheld_secrets()
        for name in job.plan.registry_secrets:
            if name in secrets:
                configs.append((name, secrets[name]))
                continue
            why = (
                "is withheld from this pull request build: its logins are not used, and"
                if name in withheld
                else "was not given:"
            )
            self.emit(
                Notice(
                    message=f"image_pull_secrets names secret {name!r}, which {why} "
                    "private images may fail to pull"
                )
            )
        found = self._credentials(configs, job.registry, job.build)
        for problem in found.problems:
            self.emit(Notice(message=problem))
        return found

    def _cleanup(
        self, run: RunSpec, tracker: ContainerTracker, janitor: ThreadPoolExecutor
    ) -> None:
        tracker.close(timeout=ABANDON_SECONDS)
        janitor.shutdown(wait=True)
        try:
            warnings = self._engine.destroy(run)
        except ConveyorError as exc:
            warnings = [exc.message]
        for warning in warnings:
            self.emit(Notice(message=f"cleanup: {warning}"))

    def _refuse(
        self, run: RunSpec, steps: Sequence[StepPlan], problems: Mapping[str, str], began: float
    ) -> RunFinished:
        results: list[StepResult] = []
        for step in steps:
            problem = problems.get(step.name)
            status = StepStatus.ERROR if problem else StepStatus.SKIPPED
            reason = problem or "no container was started: another step's image is missing"
            results.append(_result(step, status, reason))
        for result in results:
            self.emit(StepFinished(result=result))
        message = "no container was started: " + "; ".join(problems.values())
        return self._finish(run, RunStatus.FAILURE, tuple(results), began, message)

    def _skip_all(
        self, run: RunSpec, steps: Sequence[StepPlan], began: float, reason: str
    ) -> RunFinished:
        results = tuple(_result(step, StepStatus.SKIPPED, reason) for step in steps)
        for result in results:
            self.emit(StepFinished(result=result))
        return self._finish(run, RunStatus.SUCCESS, results, began, reason)

    def _finish(
        self,
        run: RunSpec,
        status: RunStatus,
        results: tuple[StepResult, ...],
        began: float,
        message: str | None,
    ) -> RunFinished:
        finished = RunFinished(
            run_id=run.run_id,
            status=status,
            results=results,
            seconds=self._clock() - began,
            message=message,
        )
        self.emit(finished)
        if self._on_finished is not None:
            self._on_finished(finished)
        return finished


def _collect_credentials(
    configs: Sequence[tuple[str, str]], sources: RegistrySources, build: Mapping[str, str]
) -> CredentialSource:
    from conveyor.registry.sources import collect_credentials

    return collect_credentials(
        secret_configs=configs,
        runner_config_files=sources.config_files,
        plugin=sources.plugin,
        build=build,
    )


def _ordered(steps: Sequence[StepPlan]) -> list[StepPlan]:
    services = [step for step in steps if step.kind is StepKind.SERVICE]
    return services + [step for step in steps if step.kind is not StepKind.SERVICE]


def _node(step: StepPlan, services: tuple[str, ...]) -> Node:
    # Services start before any step: every step waits until each service has started.
    node = Node.of(step)
    if step.kind is StepKind.SERVICE or not services:
        return node
    return replace(node, depends_on=(*node.depends_on, *services))


def _names(steps: Sequence[StepPlan]) -> tuple[str, ...]:
    return tuple(step.name for step in steps)


def _result(step: StepPlan, status: StepStatus, message: str | None) -> StepResult:
    return StepResult(
        name=step.name,
        kind=step.kind,
        status=status,
        message=message,
        detached=step.detach or step.kind is StepKind.SERVICE,
    )
