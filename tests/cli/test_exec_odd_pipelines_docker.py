"""`conveyor exec` on odd pipelines, on the real engine: plugin-style steps, entrypoint and
command, services that die at once, step time limits, CRLF output."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import docker
import pytest

from tests.cli.test_exec_docker import Exec, conveyor, lines_of, project
from tests.cli.test_exec_interrupt import resources
from tests.conftest import LocalEnv

pytestmark = pytest.mark.docker
__all__ = ["conveyor", "project"]  # fixtures used here


@pytest.fixture
def plugin_image(testenv: LocalEnv) -> Iterator[str]:
    """A plugin-style image: its ENTRYPOINT prints the PLUGIN_* variables and the directory."""
    client = docker.from_env()
    tag = f"conveyor-test-plugin-{uuid.uuid4().hex[:10]}"
    container = client.api.create_container(testenv.image, command=["true"])
    script = "env | grep ^PLUGIN_ | sort; echo workdir=$(pwd)"
    try:
        client.api.commit(
            container["Id"],
            repository=tag,
            tag="1",
            changes=[f'ENTRYPOINT ["/bin/sh", "-c", "{script}"]', "CMD []"],
        )
    finally:
        client.api.remove_container(container["Id"], force=True)
    yield f"{tag}:1"
    client.api.remove_image(f"{tag}:1", force=True)


def run_id_of(out: str) -> str:
    found = re.search(r"\(run ([0-9a-f]{12})\)", out)
    assert found, out
    return found.group(1)


def test_plugin_step_keeps_the_image_entrypoint_and_gets_plugin_variables(
    conveyor: Exec, plugin_image: str
) -> None:
    outcome = conveyor(
        f"""
steps:
- name: publish
  image: {plugin_image}
  pull: never
  settings:
    repo: team/app
    tags: [latest, "1.0"]
""",
        "--image-cache-mode",
        "off",
    )
    assert outcome.code == 0, outcome
    assert lines_of(outcome, "publish") == [
        "PLUGIN_REPO=team/app",
        "PLUGIN_TAGS=latest,1.0",
        "workdir=/drone/src",
    ]


def test_entrypoint_and_command_replace_the_image_ones(conveyor: Exec) -> None:
    outcome = conveyor(
        """
steps:
- name: custom
  image: ci-test/busybox:1
  entrypoint: [/bin/echo, from-entrypoint]
  command: [from-command, two]
""",
    )
    assert outcome.code == 0, outcome
    assert lines_of(outcome, "custom") == ["from-entrypoint from-command two"]


def test_a_service_that_exits_at_once_is_reported_with_its_exit_code(conveyor: Exec) -> None:
    outcome = conveyor(
        """
services:
- name: db
  image: ci-test/busybox:1
  commands: [echo cannot start, touch db-gave-up, exit 3]
steps:
- name: test
  image: ci-test/busybox:1
  commands:  # the service's last act is visible in the shared workspace: wait for it (<= 10 s)
  - "for i in $(seq 200); do [ -f db-gave-up ] && exit 0; sleep 0.05; done; exit 1"
""",
    )
    assert outcome.code == 0, outcome
    assert "db   | -- success in" in outcome.out
    row = next(line for line in outcome.out.splitlines() if line.startswith("db (service)"))
    cells = [cell.strip() for cell in row.split("|")]
    assert cells[3:] == ["3", "exited with code 3 in the background"]


def test_a_step_over_its_time_limit_is_stopped_and_everything_removed(conveyor: Exec) -> None:
    outcome = conveyor(
        """
steps:
- name: slow
  image: ci-test/busybox:1
  commands: [echo started, sleep 30, echo never printed]
""",
        "--step-timeout",
        "1s",
    )
    assert outcome.code == 1, outcome
    assert lines_of(outcome, "slow") == ["+ echo started", "started", "+ sleep 30"]
    assert "slow | -- killed in" in outcome.out
    assert "the step exceeded its time limit of 1s" in outcome.out
    assert resources(run_id_of(outcome.out)) == []


def test_crlf_output_has_no_carriage_returns_in_the_log(conveyor: Exec) -> None:
    outcome = conveyor(
        """
steps:
- name: dos
  image: ci-test/busybox:1
  commands: ["printf 'one\\\\r\\\\ntwo\\\\r\\\\n'"]
""",
    )
    assert outcome.code == 0, outcome
    assert lines_of(outcome, "dos")[1:] == ["one", "two"]
    assert "\r" not in outcome.out
