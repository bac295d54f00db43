"""A plan edge from a step to a service (Drone: the step starts once the service started)
runs on the unchanged runner: the compiler keeps the edge, the scheduler meets it."""

from __future__ import annotations

from conveyor.compiler.compile import compile_pipeline
from conveyor.compiler.context import BuildContext
from conveyor.config.loader import load_text
from conveyor.engine.fake import FakeEngine, FakeStep
from conveyor.runner.dag import RunStatus, StepStatus
from tests.runner.builders import CACHED, job
from tests.runner.test_executor import make, statuses

TEXT = """\
kind: pipeline
name: p
services:
- {name: db, image: 127.0.0.1:5000/ci-test/busybox:1}
steps:
- {name: build, image: 127.0.0.1:5000/ci-test/busybox:1, depends_on: [db], commands: [x]}
- {name: test, image: 127.0.0.1:5000/ci-test/busybox:1, depends_on: [build, db], commands: [y]}
"""


def test_steps_that_depend_on_a_service_run_after_it_started() -> None:
    plan = compile_pipeline(load_text(TEXT, "f.yml").file.pipelines[0], BuildContext())
    assert [s.depends_on for s in plan.steps] == [(), ("db",), ("build", "db")]
    engine = FakeEngine({"db": FakeStep(runs_until_stopped=True)}, images=CACHED)
    executor, _ = make(engine)
    result = executor.run(job(plan))
    assert result.status is RunStatus.SUCCESS
    assert statuses(result) == {
        "db": StepStatus.SUCCESS,
        "build": StepStatus.SUCCESS,
        "test": StepStatus.SUCCESS,
    }
    assert engine.names("start") == ["db", "build", "test"]
