"""The Docker backend on the real engine: labels, aliases, workspace copy, output, cleanup."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from conveyor.engine import labels
from conveyor.engine.contract import ContainerEnv, LogStream, Owner, RunSpec
from conveyor.engine.docker.backend import DockerEngine, connect
from conveyor.engine.labels import current_owner, new_run_id
from conveyor.errors import EngineError
from conveyor.images.policy import PullPolicy
from conveyor.plan.model import MountKind, MountPlan, StepKind, StepPlan, VolumePlan
from tests.conftest import LocalEnv

pytestmark = pytest.mark.docker

IMAGE = "docker.io/ci-test/busybox:1"


def shell(name: str, script: str, **fields: object) -> StepPlan:
    return StepPlan(
        name=name,
        kind=StepKind.STEP,
        image=IMAGE,
        pull=PullPolicy.IF_NOT_EXISTS,
        entrypoint=("/bin/sh", "-c"),
        command=(script,),
        **fields,  # type: ignore[arg-type]
    )


@pytest.fixture
def engine(testenv: LocalEnv) -> DockerEngine:
    return connect()


@pytest.fixture
def run(engine: DockerEngine, tmp_path: Path) -> Iterator[RunSpec]:
    (tmp_path / "hello.txt").write_text("hello from the host\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.txt").write_text("deep\n")
    spec = RunSpec(
        run_id=new_run_id(),
        owner=current_owner(),
        workspace_path="/drone/src",
        volumes=(VolumePlan(name="cache", kind=MountKind.VOLUME),),
        workspace_source=tmp_path,
    )
    engine.setup(spec)
    yield spec
    engine.destroy(spec)


def run_step(
    engine: DockerEngine, run: RunSpec, step: StepPlan, env: dict[str, str] | None = None
) -> tuple[int | None, str, str]:
    container = engine.create(run, step, ContainerEnv(values=env or {}))
    out: list[bytes] = []
    err: list[bytes] = []
    for stream, data in engine.start(container):
        (out if stream is LogStream.STDOUT else err).append(data)
    code = engine.wait(container)
    engine.remove(container)
    return code, b"".join(out).decode(), b"".join(err).decode()


def test_step_sees_workspace_env_and_separate_streams(engine: DockerEngine, run: RunSpec) -> None:
    step = shell("show", 'pwd; cat hello.txt sub/deep.txt; echo "$GREETING"; echo oops >&2; exit 3')
    code, out, err = run_step(engine, run, step, {"GREETING": "hi there"})
    assert code == 3
    assert out.splitlines() == ["/drone/src", "hello from the host", "deep", "hi there"]
    assert err == "oops\n"


def test_workspace_and_volumes_persist_between_steps(engine: DockerEngine, run: RunSpec) -> None:
    mount = (MountPlan(volume="cache", target="/cache"),)
    assert (
        run_step(engine, run, shell("w", "echo built > out.txt; echo c > /cache/c", mounts=mount))[
            0
        ]
        == 0
    )
    code, out, _ = run_step(engine, run, shell("r", "cat out.txt /cache/c", mounts=mount))
    assert (code, out) == (0, "built\nc\n")


def test_every_resource_is_labelled_and_destroy_removes_all(
    engine: DockerEngine, run: RunSpec
) -> None:
    container = engine.create(run, shell("idle", "sleep 30"), ContainerEnv())
    mine = [item for item in engine.leftovers() if item.run_id == run.run_id]
    kinds = sorted(item.kind.value for item in mine)
    assert kinds == ["container", "network", "volume", "volume"]
    assert all(item.owner_alive for item in mine)
    client = docker.from_env()
    assert client.api.inspect_container(container)["Config"]["Labels"][labels.STEP] == "idle"
    assert engine.destroy(run) == []
    assert [item for item in engine.leftovers() if item.run_id == run.run_id] == []


def test_services_are_reachable_by_step_name(engine: DockerEngine, run: RunSpec) -> None:
    server = shell("web-svc", "echo pong > /tmp/index.html; exec httpd -f -p 8080 -h /tmp")
    container = engine.create(run, server, ContainerEnv())
    output = engine.start(container)
    try:
        client = shell(
            "client",
            "for i in 1 2 3 4 5 6 7 8 9 10; do"
            " wget -qO- http://web-svc:8080/ && exit 0; sleep 0.2; done; exit 1",
        )
        code, out, _ = run_step(engine, run, client)
        assert (code, out) == (0, "pong\n")
    finally:
        engine.stop(container, grace=0)
        list(output)
        engine.remove(container)


def test_large_output_arrives_whole(engine: DockerEngine, run: RunSpec) -> None:
    # 30 MB: more than the daemon's 2 x 10 MB json-file rotation, which a logs() reader would lose.
    step = shell("big", "yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 30000000")
    code, out, _ = run_step(engine, run, step)
    assert code == 0
    assert len(out) == 30_000_000


def test_create_error_names_the_step(engine: DockerEngine, run: RunSpec) -> None:
    step = shell("bad", "true", user="no-such-user-xyz")
    container = engine.create(run, step, ContainerEnv())
    try:
        with pytest.raises(EngineError, match="cannot start"):
            engine.start(container)
    finally:
        engine.remove(container)
    bad_image = StepPlan(
        name="img", kind=StepKind.STEP, image="docker.io/ci-test/absent:404", pull=PullPolicy.NEVER
    )
    with pytest.raises(EngineError, match="step 'img'"):
        engine.create(run, bad_image, ContainerEnv())


def test_leftovers_of_a_dead_owner_are_found(engine: DockerEngine) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    owner = Owner(pid=dead.pid, start="1", host=current_owner().host)
    spec = RunSpec(run_id=new_run_id(), owner=owner, workspace_path="/drone/src")
    engine.setup(spec)
    try:
        mine = [item for item in engine.leftovers() if item.run_id == spec.run_id]
        assert len(mine) == 2
        assert not any(item.owner_alive for item in mine)
        assert engine.remove_leftovers(mine) == []
        assert [item for item in engine.leftovers() if item.run_id == spec.run_id] == []
    finally:
        engine.destroy(spec)


def test_image_info(engine: DockerEngine) -> None:
    info = engine.image_info(IMAGE)
    assert info is not None
    assert info.image_id.startswith("sha256:")
    assert engine.image_info("docker.io/ci-test/absent:404") is None


def test_workspace_base_holds_the_sources_under_the_path(
    engine: DockerEngine, tmp_path: Path
) -> None:
    (tmp_path / "main.go").write_text("package main\n")
    spec = RunSpec(
        run_id=new_run_id(),
        owner=current_owner(),
        workspace_path="/go/src/example.com/x",
        workspace_base="/go",
        workspace_source=tmp_path,
    )
    engine.setup(spec)
    try:
        step = shell(
            "show",
            "pwd; cat main.go; ls /go",
            mounts=(MountPlan(volume="workspace", target="/go"),),
            working_dir="/go/src/example.com/x",
        )
        code, out, _ = run_step(engine, spec, step)
        assert (code, out.splitlines()) == (0, ["/go/src/example.com/x", "package main", "src"])
    finally:
        engine.destroy(spec)
