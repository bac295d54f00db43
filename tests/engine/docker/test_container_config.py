"""StepPlan -> Docker settings: names, mounts, host config, aliases (no daemon needed)."""

from __future__ import annotations

from typing import Any

import pytest

from conveyor.engine.contract import ContainerEnv, Owner, RunSpec
from conveyor.engine.docker.container_config import (
    aliases_for,
    container_args,
    container_name,
    host_config_args,
    mounts_for,
    safe_name,
)
from conveyor.errors import ConfigError
from conveyor.images.policy import PullPolicy
from conveyor.plan.model import MountKind, MountPlan, StepKind, StepPlan, VolumePlan

RUN = RunSpec(
    run_id="r1",
    owner=Owner(pid=7, start="9", host="h"),
    workspace_path="/drone/src",
    volumes=(
        VolumePlan(name="cache", kind=MountKind.VOLUME),
        VolumePlan(name="sock", kind=MountKind.BIND, host_path="/var/run/docker.sock"),
        VolumePlan(name="mem", kind=MountKind.TMPFS),
    ),
)


def step(**fields: Any) -> StepPlan:
    return StepPlan(
        name="build",
        kind=StepKind.STEP,
        image="docker.io/library/golang:1.12",
        pull=PullPolicy.DEFAULT,
        **fields,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("build", "build"), ("a.b_c-d", "a.b_c-d")],
)
def test_safe_names_kept(text: str, expected: str) -> None:
    assert safe_name(text) == expected


def test_unsafe_names_are_cleaned_and_stay_distinct() -> None:
    assert safe_name("a b").startswith("a-b-")
    assert safe_name("a b") != safe_name("a/b")
    assert container_name("r1", "go test") != container_name("r1", "go-test")


def test_workspace_is_mounted_by_default_and_volumes_map_by_kind() -> None:
    mounts = mounts_for(
        RUN,
        step(
            mounts=(
                MountPlan(volume="cache", target="/cache"),
                MountPlan(volume="sock", target="/var/run/docker.sock"),
                MountPlan(volume="mem", target="/tmp/mem"),
            )
        ),
    )
    got = [(m["Target"], m["Source"], m["Type"]) for m in mounts]
    assert got == [
        ("/drone/src", "conveyor-r1-workspace", "volume"),
        ("/cache", "conveyor-r1-cache", "volume"),
        ("/var/run/docker.sock", "/var/run/docker.sock", "bind"),
        ("/tmp/mem", None, "tmpfs"),
    ]


def test_explicit_workspace_mount_is_not_doubled() -> None:
    mounts = mounts_for(RUN, step(mounts=(MountPlan(volume="workspace", target="/drone/src"),)))
    assert [m["Target"] for m in mounts] == ["/drone/src"]


def test_undeclared_volume_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="'nope'"):
        mounts_for(RUN, step(mounts=(MountPlan(volume="nope", target="/x"),)))


def test_host_config_and_container_args() -> None:
    plan = step(
        privileged=True,
        shm_size=1024,
        mem_limit=2048,
        cpu_limit=1.5,
        dns=("1.1.1.1",),
        extra_hosts=("db:10.0.0.1",),
        devices=(("/dev/fuse", "/dev/fuse"),),
        entrypoint=("/bin/sh", "-c"),
        command=("echo hi",),
        user="1000",
    )
    host = host_config_args(RUN, plan)
    assert host["network_mode"] == "conveyor-r1"
    assert host["nano_cpus"] == 1_500_000_000
    assert host["devices"] == ["/dev/fuse:/dev/fuse:rwm"]
    assert host["extra_hosts"] == ["db:10.0.0.1"]
    assert "dns_search" not in host
    args = container_args(RUN, plan, ContainerEnv(values={"A": "1"}))
    assert args["entrypoint"] == ["/bin/sh", "-c"]
    assert args["working_dir"] == "/drone/src"
    assert args["labels"] == {
        "conveyor.run": "r1",
        "conveyor.pid": "7",
        "conveyor.pid-start": "9",
        "conveyor.host": "h",
        "conveyor.step": "build",
    }
    assert args["use_config_proxy"] is False
    assert aliases_for(plan) == ["build"]


def test_network_mode_replaces_the_run_network() -> None:
    plan = step(network_mode="host")
    assert host_config_args(RUN, plan)["network_mode"] == "host"
    assert aliases_for(plan) is None


def test_container_env_repr_hides_values() -> None:
    assert "hunter2" not in repr(ContainerEnv(values={"TOKEN": "hunter2"}))
