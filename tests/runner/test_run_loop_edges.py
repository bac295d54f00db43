"""Edge cases of the run loop on the fake engine: limits and cancels during a pull, and
background containers that exit on their own just as the run ends."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from conveyor.cache.guard import OpenGuard
from conveyor.engine.contract import PullProgress, PullResult
from conveyor.engine.fake import FakeEngine, FakeStep
from conveyor.images.credentials import Credential
from conveyor.images.reference import Reference
from conveyor.runner.dag import RunStatus, StepStatus
from conveyor.runner.events import RunFinished
from conveyor.runner.executor import Executor
from conveyor.runner.run_loop import Limits
from tests.runner.builders import CACHED, job, plan, serial, service, step
from tests.runner.test_executor import Creds

UNCACHED = "docker.io/ci-test/pulled-slowly:1"


class SlowPullEngine(FakeEngine):
    """Pulls of UNCACHED block until `release` is set (a slow registry)."""

    def __init__(self, script: dict[str, FakeStep] | None = None) -> None:
        super().__init__(script, images=CACHED)
        self.release = threading.Event()
        self.pulling = threading.Event()

    def pull(
        self,
        reference: Reference,
        candidates: Sequence[Credential],
        on_progress: Callable[[PullProgress], None] | None = None,
    ) -> PullResult:
        self.pulling.set()
        self.release.wait(30)
        return super().pull(reference, candidates, on_progress)


class Quiet:
    """A sink that drops every event."""

    def emit(self, event: object) -> None:
        pass


def executor_of(engine: FakeEngine) -> Executor:
    return Executor(engine, sink=Quiet(), guard=OpenGuard(), credentials=Creds)


def by_name(result: RunFinished) -> dict[str, tuple[StepStatus, str | None]]:
    return {r.name: (r.status, r.message) for r in result.results}


def finish_pull(engine: SlowPullEngine, step_name: str) -> None:
    """Let the blocked pull end and wait until the step's thread is over."""
    engine.release.set()
    for thread in threading.enumerate():
        if thread.name == f"conveyor-step-{step_name}":
            thread.join(timeout=5)


def test_step_over_its_time_limit_during_a_pull_never_gets_a_container() -> None:
    engine = SlowPullEngine()
    executor = executor_of(engine)
    the_plan = plan(*serial(step("slow", image=UNCACHED), step("after")))
    result = executor.run(job(the_plan, limits=Limits(step_timeout=0.2, stop_grace=0)))
    finish_pull(engine, "slow")
    assert result.status is RunStatus.FAILURE
    status, message = by_name(result)["slow"]
    assert status is StepStatus.KILLED
    assert message is not None
    assert "time limit of 0.2s" in message
    assert by_name(result)["after"][0] is StepStatus.SKIPPED
    assert "slow" not in engine.names("create")


def test_cancel_during_a_pull_ends_the_step_at_once() -> None:
    engine = SlowPullEngine()
    executor = executor_of(engine)

    def cancel_when_pulling() -> None:
        if engine.pulling.wait(5):
            executor.cancel.set()

    threading.Thread(target=cancel_when_pulling, daemon=True).start()
    result = executor.run(job(plan(*serial(step("slow", image=UNCACHED), step("after")))))
    released_before_return = engine.release.is_set()
    finish_pull(engine, "slow")
    assert result.status is RunStatus.KILLED
    assert by_name(result)["slow"] == (StepStatus.KILLED, "the run was interrupted")
    assert by_name(result)["after"][0] is StepStatus.SKIPPED
    assert not released_before_return
    assert "slow" not in engine.names("create")
    assert engine.names("destroy") == [result.run_id]


class LateReportEngine(FakeEngine):
    """The exit code of `late` reaches the runner only after a pause (a slow wait call)."""

    def __init__(self, script: dict[str, FakeStep], late: str, exited: threading.Event) -> None:
        super().__init__(script, images=CACHED)
        self._late = late
        self._exited = exited

    def wait(self, container: str, timeout: float | None = None) -> int | None:
        code = super().wait(container, timeout)
        if self._containers[container].step.name == self._late:
            self._exited.set()
            time.sleep(0.3)
        return code


def test_service_that_exits_on_its_own_as_the_run_ends_is_not_hidden() -> None:
    exited = threading.Event()
    script = {"db": FakeStep(exit_code=3), "test": FakeStep(gate=exited)}
    engine = LateReportEngine(script, late="db", exited=exited)
    result = executor_of(engine).run(job(plan(service("db"), step("test"))))
    db = result.results[0]
    assert db.name == "db"
    assert db.status is StepStatus.SUCCESS
    assert db.exit_code == 3
    assert db.message == "exited with code 3 in the background"


class GraceEngine(FakeEngine):
    """Records the grace of every stop, and says when a container started."""

    def __init__(self, script: dict[str, FakeStep]) -> None:
        self.graces: list[float] = []
        self.started = threading.Event()

        def started(call: str, _subject: str) -> None:
            if call == "start":
                self.started.set()

        super().__init__(script, images=CACHED, on_call=started)

    def stop(self, container: str, grace: float = 2.0) -> None:
        self.graces.append(grace)
        super().stop(container, grace)


def _cancelled_run(grace: float | None) -> tuple[GraceEngine, RunFinished]:
    engine = GraceEngine({"running": FakeStep(runs_until_stopped=True)})
    executor = Executor(
        engine, sink=Quiet(), guard=OpenGuard(), credentials=Creds, cancel_grace=grace
    )

    def cancel_when_started() -> None:
        if engine.started.wait(5):
            executor.cancel.set()

    threading.Thread(target=cancel_when_started, daemon=True).start()
    result = executor.run(job(plan(step("running")), limits=Limits(stop_grace=5.0)))
    return engine, result


def test_a_cancel_stops_containers_with_the_hosts_cancel_grace() -> None:
    engine, result = _cancelled_run(0.0)
    assert by_name(result)["running"] == (StepStatus.KILLED, "the run was interrupted")
    assert engine.graces == [0.0]


def test_without_a_cancel_grace_a_cancel_keeps_the_stop_grace() -> None:
    engine, result = _cancelled_run(None)
    assert result.status is RunStatus.KILLED
    assert engine.graces == [5.0]
