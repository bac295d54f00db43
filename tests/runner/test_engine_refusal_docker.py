"""A plan the engine refuses at start, on the real engine: the error names no secret value,
not even in the escaped form runc uses, and the run leaves no container, network or volume."""

from __future__ import annotations

import docker
import pytest

from conveyor.cache.guard import OpenGuard
from conveyor.engine.docker.backend import connect
from conveyor.images.policy import PullPolicy
from conveyor.plan.model import Plan, StepKind, StepPlan
from conveyor.runner.dag import RunStatus, StepStatus
from conveyor.runner.events import Recorder, RunStarted
from tests.conftest import LocalEnv

pytestmark = pytest.mark.docker

VALUE = "topsecret\x00value-4711"


def test_a_secret_with_a_nul_byte_is_masked_in_runcs_error_and_nothing_is_left(
    testenv: LocalEnv,
) -> None:
    from conveyor.runner.executor import Executor
    from conveyor.runner.job import StageJob

    step = StepPlan(
        name="refused",
        kind=StepKind.STEP,
        image=f"docker.io/{testenv.image}",
        pull=PullPolicy.IF_NOT_EXISTS,
        entrypoint=("/bin/sh", "-c"),
        command=("echo never",),
        secrets={"TOKEN": "token"},
    )
    recorder = Recorder()
    refused = Plan(pipeline="refusal", steps=(step,), workspace_path="/drone/src")
    result = Executor(connect(), sink=recorder, guard=OpenGuard()).run(
        StageJob(plan=refused, secrets={"token": VALUE})
    )
    assert result.status is RunStatus.FAILURE
    failed = result.results[0]
    assert failed.status is StepStatus.ERROR
    message = failed.message or ""
    assert "null" in message, message  # the engine's own refusal, passed on
    assert "********" in message, message
    everything = repr(recorder.events)
    for form in ("topsecret", "value-4711"):
        assert form not in everything
    [started] = [e for e in recorder.events if isinstance(e, RunStarted)]
    client = docker.from_env()
    label = {"label": [f"conveyor.run={started.run_id}"]}
    assert client.api.containers(all=True, filters=label) == []
    assert client.api.networks(filters=label) == []
    assert (client.api.volumes(filters=label).get("Volumes") or []) == []
