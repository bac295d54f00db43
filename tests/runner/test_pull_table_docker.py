"""Every row of the pull table (semantics.md section 3) on the real engine, seen by the registry.

Each case pushes its own repository to the open registry, sets the cache state (tag present
or removed), runs a one-step plan, and reads the registry's access log to see whether the
engine asked for the manifest, i.e. whether a pull happened.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from conveyor.cache.guard import OpenGuard
from conveyor.engine.contract import ContainerEnv, RunSpec
from conveyor.engine.docker.backend import DockerEngine, connect
from conveyor.images.policy import PullPolicy
from conveyor.plan.model import Plan, StepKind, StepPlan
from conveyor.runner.dag import RunStatus, StepStatus
from conveyor.runner.events import ImageCached, PullFinished, Recorder, StepStarted
from conveyor.runner.executor import Executor
from conveyor.runner.job import StageJob
from tests.conftest import LocalEnv

pytestmark = pytest.mark.docker

CASES = [
    # policy, tag, cached, expected: "pull", "use" or "fail"
    (PullPolicy.DEFAULT, "latest", True, "pull"),
    (PullPolicy.DEFAULT, "latest", False, "pull"),
    (PullPolicy.DEFAULT, "1", True, "use"),
    (PullPolicy.DEFAULT, "1", False, "pull"),
    (PullPolicy.IF_NOT_EXISTS, "1", True, "use"),
    (PullPolicy.IF_NOT_EXISTS, "latest", False, "pull"),
    (PullPolicy.ALWAYS, "1", True, "pull"),
    (PullPolicy.ALWAYS, "1", False, "pull"),
    (PullPolicy.NEVER, "1", True, "use"),
    (PullPolicy.NEVER, "latest", False, "fail"),
]


class SpyEngine(DockerEngine):
    """The real backend, remembering which steps got a container."""

    def __init__(self, client: docker.DockerClient) -> None:
        super().__init__(client)
        self.created: list[str] = []

    def create(self, run: RunSpec, step: StepPlan, env: ContainerEnv) -> str:
        self.created.append(step.name)
        return super().create(run, step, env)


@pytest.fixture
def engine(testenv: LocalEnv) -> SpyEngine:
    return SpyEngine(connect().client)


@pytest.fixture
def repository(testenv: LocalEnv, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh repository `127.0.0.1:5000/conveyor-run-<pid>/<case>` with tags 1 and latest."""
    client = docker.from_env()
    name = f"{testenv.registry}/conveyor-run-{os.getpid()}/{request.node.callspec.id.lower()}"
    name = name.replace("[", "-").replace("]", "")
    for tag in ("1", "latest"):
        client.api.tag(testenv.image, name, tag)
        for line in client.api.push(name, tag=tag, stream=True, decode=True):
            assert "error" not in line, line
        client.api.remove_image(f"{name}:{tag}")
    yield name
    for tag in ("1", "latest"):
        with contextlib.suppress(docker.errors.NotFound):
            client.api.remove_image(f"{name}:{tag}")


def manifest_requests(log: Path, start: int, repository: str) -> int:
    path = "/v2/" + repository.split("/", 1)[1] + "/manifests/"
    with log.open("rb") as handle:
        handle.seek(start)
        text = handle.read().decode("utf-8", "replace")
    return sum(1 for line in text.splitlines() if path in line and line.startswith("127.0.0.1"))


@pytest.mark.parametrize(("policy", "tag", "cached", "expected"), CASES)
def test_pull_table_row(
    engine: SpyEngine,
    testenv: LocalEnv,
    repository: str,
    policy: PullPolicy,
    tag: str,
    cached: bool,
    expected: str,
) -> None:
    image = f"{repository}:{tag}"
    if cached:
        docker.from_env().api.pull(repository, tag=tag)
    log = testenv.registry_log("open")
    start = log.stat().st_size
    step = StepPlan(
        name="probe",
        kind=StepKind.STEP,
        image=image,
        pull=policy,
        entrypoint=("/bin/sh", "-c"),
        command=("cat /etc/ci-test-image",),
    )
    recorder = Recorder()
    result = Executor(engine, sink=recorder, guard=OpenGuard()).run(
        StageJob(plan=Plan(pipeline="table", steps=(step,), workspace_path="/drone/src"))
    )
    testenv.settle_logs()  # the registry logs a request just after answering it
    pulled = manifest_requests(log, start, repository) > 0
    if expected == "fail":
        assert result.status is RunStatus.FAILURE
        assert result.results[0].status is StepStatus.ERROR
        assert "'never'" in (result.results[0].message or "")
        assert engine.created == []
        assert not pulled
        return
    assert result.status is RunStatus.SUCCESS, result
    assert recorder.lines("probe") == ["busybox"]
    assert pulled is (expected == "pull")
    kinds = {type(e) for e in recorder.events if getattr(e, "step", None) == "probe"}
    assert (PullFinished in kinds) is (expected == "pull")
    assert (ImageCached in kinds) is (expected == "use")
    assert StepStarted in kinds
