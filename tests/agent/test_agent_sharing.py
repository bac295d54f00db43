"""Several agents on one server: labels decide who runs a stage, and many builds shared by
separate agent processes (each with its own state directory) each run exactly once."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

import docker
import pytest

from conveyor.server.app import create_app
from tests.agent.live_support import SLUG, Site, admin_session, agent_process
from tests.conftest import LocalEnv
from tests.server.conftest import RPC_SECRET, make_settings
from tests.server.git_support import make_repo
from tests.server.live import serve_app

pytestmark = pytest.mark.docker

GPU = """\
kind: pipeline
type: docker
name: default
clone: {{disable: true}}
node: {{gpu: "yes"}}
steps:
- name: run
  image: {image}
  commands: [echo on a gpu]
"""
TRIVIAL = """\
kind: pipeline
type: docker
name: default
steps:
- name: run
  image: {image}
  commands: [echo "build $DRONE_BUILD_NUMBER"]
"""
BUILDS = 100
"""Builds shared by the agents (the issue's number)."""


@pytest.fixture
def site(tmp_path: Path, db_url: str) -> Iterator[Site]:
    repo = make_repo(tmp_path / "git", {"README": "x\n"})
    settings = make_settings(tmp_path / "data", db_url, rpc_secret=RPC_SECRET)
    with serve_app(create_app(settings)) as base:
        site = Site(base=base, http=admin_session(), repo=repo)
        site.api("POST", f"/repos/{SLUG}", json={"git_http_url": repo.url})
        yield site


def test_a_labelled_stage_waits_for_a_matching_agent(
    site: Site, tmp_path: Path, testenv: LocalEnv
) -> None:
    site.use(GPU.format(image=testenv.image))
    log = tmp_path / "agents.log"
    with agent_process(site.base, tmp_path / "s1", log, "--name", "plain"):
        number = site.build()
        site.wait(number, lambda _b: _reason(site).startswith("no agent with its labels"))
        assert site.api("GET", f"/repos/{SLUG}/builds/{number}")["status"] == "pending"
        with agent_process(site.base, tmp_path / "s2", log, "--name", "gpu", "--label", "gpu=yes"):
            build = site.finished(number)
    assert build["status"] == "success", log.read_text()
    assert build["stages"][0]["machine"] == "gpu"


@pytest.mark.parametrize("agents", [2, 3])
def test_builds_shared_by_agents_each_run_once(
    site: Site, tmp_path: Path, testenv: LocalEnv, agents: int
) -> None:
    site.use(TRIVIAL.format(image=testenv.image))
    log = tmp_path / "agents.log"
    numbers = [site.build() for _ in range(BUILDS)]
    names = [f"a{n}" for n in range(1, agents + 1)]
    with ExitStack() as stack:
        starts = stack.enter_context(_container_starts())
        pids = [
            stack.enter_context(
                agent_process(site.base, tmp_path / name, log, "--name", name, "--capacity", "2")
            ).pid
            for name in names
        ]
        builds = [site.finished(number) for number in numbers]
    assert [b["status"] for b in builds] == ["success"] * BUILDS, log.read_text()
    machines = Counter(b["stages"][0]["machine"] for b in builds)
    assert set(machines) == set(names), machines
    # One step container per build, in all: no stage ran twice.
    assert sum(starts[str(pid)] for pid in pids) == BUILDS, starts
    for number in numbers:
        assert site.log(number, 1, 2).splitlines()[-1] == f"build {number}"


@contextmanager
def _container_starts() -> Iterator[Counter[str]]:
    """Counts the containers started while inside, by the `conveyor.pid` label of their owner
    (Docker's event history is short: the events are read as they happen)."""
    client = docker.from_env()
    filters = {"type": "container", "event": "start", "label": "conveyor.pid"}
    events = client.events(decode=True, filters=filters)
    starts: Counter[str] = Counter()

    def read() -> None:
        with suppress(Exception):  # the stream ends with an error when it is closed
            for event in events:
                starts[event["Actor"]["Attributes"]["conveyor.pid"]] += 1

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        yield starts
    finally:
        time.sleep(1.0)  # the last events on their way
        events.close()
        reader.join(timeout=10)
        client.close()


def _reason(site: Site) -> str:
    queue = site.api("GET", "/queue")
    return str(queue[0]["reason"]) if queue else ""
