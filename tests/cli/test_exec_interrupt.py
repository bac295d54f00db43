"""Ctrl-C, SIGTERM and kill -9 of a real `conveyor exec` process leave nothing behind."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docker
import pytest

from conveyor.cli.main import main
from tests.conftest import LocalEnv

pytestmark = pytest.mark.docker

PIPELINE = """\
kind: pipeline
type: docker
name: default
services:
- name: idle-service
  image: ci-test/busybox:1
  commands: [sleep 300]
steps:
- name: long
  image: ci-test/busybox:1
  commands: [echo sleeping, sleep 300]
- name: after
  image: ci-test/busybox:1
  commands: [echo never]
"""
QUICK = """\
kind: pipeline
type: docker
name: quick
steps:
- name: a
  image: ci-test/busybox:1
  commands: [true]
"""


@dataclass
class Running:
    process: subprocess.Popen[str]
    run_id: str
    lines: queue.Queue[str]

    def rest(self) -> str:
        """The output after the step started, to the end of the output (marked by "")."""
        text = []
        while line := self.lines.get(timeout=30):
            text.append(line)
        return "".join(text)


def resources(run_id: str) -> list[str]:
    client = docker.from_env()
    label = {"label": [f"conveyor.run={run_id}"]}
    found = [c["Id"] for c in client.api.containers(all=True, filters=label)]
    found += [n["Id"] for n in client.api.networks(filters=label)]
    found += [v["Name"] for v in client.api.volumes(filters=label).get("Volumes") or []]
    return found


@pytest.fixture
def project(testenv: LocalEnv, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    (tmp_path / ".drone.yml").write_text(PIPELINE)
    (tmp_path / "quick.yml").write_text(QUICK)
    os.environ.setdefault("DOCKER_HOST", "unix:///var/run/docker.sock")
    return tmp_path


@pytest.fixture
def started(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """A `conveyor exec` process whose step `long` is running."""
    env = dict(os.environ, NO_COLOR="1", CONVEYOR_STATE_DIR=str(tmp_path_factory.mktemp("st")))
    process = subprocess.Popen(
        [sys.executable, "-m", "conveyor", "exec", "--image-cache-mode", "off"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout

    def pump() -> None:
        for line in stdout:
            lines.put(line)
        lines.put("")  # the end of the output

    threading.Thread(target=pump, daemon=True).start()
    run_id = ""
    try:
        while True:
            line = lines.get(timeout=30)
            found = re.search(r"\(run ([0-9a-f]+)\)", line)
            run_id = found.group(1) if found else run_id
            if line.startswith("long ") and "sleeping" in line:
                break
        assert run_id
        yield Running(process, run_id, lines)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_signal_stops_the_run_and_removes_everything(started: Running, number: int) -> None:
    assert len(resources(started.run_id)) == 4  # service, step, network, workspace
    started.process.send_signal(number)
    assert started.process.wait(timeout=30) == 130
    assert resources(started.run_id) == []
    out = started.rest()
    assert re.search(r"^long +\| -- killed in", out, re.M), out
    assert re.search(r"^after +\| -- skipped: the run was cancelled", out, re.M), out


def test_kill_9_leftovers_are_removed_by_the_next_exec(
    started: Running,
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    started.process.kill()
    started.process.wait(timeout=30)
    assert len(resources(started.run_id)) == 4
    monkeypatch.chdir(project)
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["exec", "quick.yml", "--image-cache-mode", "off"]) == 0
    assert resources(started.run_id) == []
    assert "left by" in capsys.readouterr().err


def test_prune_removes_leftovers_of_dead_runs(
    started: Running, capsys: pytest.CaptureFixture[str]
) -> None:
    started.process.kill()
    started.process.wait(timeout=30)
    assert main(["prune", "--dry-run"]) == 0
    assert started.run_id in capsys.readouterr().out
    assert len(resources(started.run_id)) == 4
    assert main(["prune"]) == 0
    assert resources(started.run_id) == []
