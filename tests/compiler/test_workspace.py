"""Workspace layout, pipeline volumes and the mounts of each step."""

from __future__ import annotations

import pytest

from conveyor.compiler.compile import compile_pipeline
from conveyor.compiler.context import BuildContext
from conveyor.compiler.workspace import workspace_layout
from conveyor.errors import ConfigError
from conveyor.plan.model import MountKind, MountPlan, VolumePlan
from tests.compiler.helpers import pipeline_of, steps_yaml

STEP = """\
- name: build
  image: golang
  commands: [go build]
"""


@pytest.mark.parametrize(
    ("head", "base", "path", "full"),
    [
        ("", "/drone/src", "", "/drone/src"),
        ("workspace:\n  path: /go/src/app\n", "/go/src/app", "", "/go/src/app"),
        ("workspace:\n  base: /go\n  path: src/app\n", "/go", "src/app", "/go/src/app"),
        ("workspace:\n  path: src/app\n", "/drone/src", "src/app", "/drone/src/src/app"),
        ("workspace:\n  base: /go\n", "/go", "", "/go"),
        ("workspace:\n  path: /go/src/app/\n", "/go/src/app", "", "/go/src/app"),
    ],
)
def test_layout(head: str, base: str, path: str, full: str) -> None:
    layout = workspace_layout(pipeline_of(steps_yaml(STEP, head)))
    assert (layout.base, layout.path, layout.full) == (base, path, full)


@pytest.mark.parametrize("head", ["workspace:\n  path: /\n", "workspace:\n  path: /etc\n"])
def test_a_workspace_over_a_system_directory_is_refused(head: str) -> None:
    with pytest.raises(ConfigError, match="cannot be used"):
        workspace_layout(pipeline_of(steps_yaml(STEP, head)))


def test_plan_carries_the_mount_point_when_it_differs() -> None:
    head = "workspace:\n  base: /go\n  path: src/app\n"
    plan = compile_pipeline(pipeline_of(steps_yaml(STEP, head)), BuildContext())
    assert (plan.workspace_path, plan.workspace_base) == ("/go/src/app", "/go")
    step = plan.steps[0]
    assert step.mounts == (MountPlan(volume="workspace", target="/go"),)
    assert step.working_dir == "/go/src/app"
    assert step.environment["DRONE_WORKSPACE"] == "/go/src/app"
    assert step.environment["DRONE_WORKSPACE_BASE"] == "/go"
    assert step.environment["CI_WORKSPACE_PATH"] == "src/app"


def test_volumes_and_mounts() -> None:
    head = """\
    volumes:
    - name: cache
      temp: {}
    - name: ram
      temp:
        medium: memory
    - name: sock
      host:
        path: /var/run/docker.sock
    """
    body = """\
    - name: build
      image: golang
      commands: [go build]
      volumes:
      - name: cache
        path: /root/.cache
      - name: sock
        path: /var/run/docker.sock
    """
    plan = compile_pipeline(pipeline_of(steps_yaml(body, head)), BuildContext(trusted=True))
    assert plan.volumes == (
        VolumePlan(name="cache", kind=MountKind.VOLUME),
        VolumePlan(name="ram", kind=MountKind.TMPFS),
        VolumePlan(name="sock", kind=MountKind.BIND, host_path="/var/run/docker.sock"),
    )
    assert plan.steps[0].mounts == (
        MountPlan(volume="workspace", target="/drone/src"),
        MountPlan(volume="cache", target="/root/.cache"),
        MountPlan(volume="sock", target="/var/run/docker.sock"),
    )


def test_a_mount_of_an_undeclared_volume_is_skipped_as_in_drone() -> None:
    body = """\
    - name: build
      image: golang
      volumes:
      - name: nope
        path: /x
    """
    plan = compile_pipeline(pipeline_of(steps_yaml(body)), BuildContext())
    assert [mount.volume for mount in plan.steps[0].mounts] == ["workspace"]


def test_the_workspace_volume_name_is_reserved() -> None:
    head = "volumes:\n- name: workspace\n  temp: {}\n"
    with pytest.raises(ConfigError, match="reserved"):
        compile_pipeline(pipeline_of(steps_yaml(STEP, head)), BuildContext())


@pytest.mark.parametrize(
    ("body", "working_dir"),
    [
        ("- name: s\n  image: golang\n  commands: [x]\n", "/drone/src"),
        ("- name: s\n  image: plugins/x\n", "/drone/src"),  # plugins work in the workspace
        ("- name: s\n  image: redis\n  detach: true\n", None),  # background, no commands
        ("- name: s\n  image: redis\n  detach: true\n  commands: [x]\n", "/drone/src"),
        ("- name: s\n  image: golang\n  working_dir: /tmp\n  commands: [x]\n", "/tmp"),
    ],
)
def test_working_dir(body: str, working_dir: str | None) -> None:
    plan = compile_pipeline(pipeline_of(steps_yaml(body)), BuildContext())
    assert plan.steps[0].working_dir == working_dir
