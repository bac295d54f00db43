"""The agent survives a server killed with SIGKILL: it keeps running its stage, re-sends what the
restarted server did not acknowledge, and the stored log has every line once, in order."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.agent.live_support import COUNTER, SLUG, Site, admin_session, agent_process
from tests.conftest import LocalEnv
from tests.server.conftest import RPC_SECRET, LiveServer
from tests.server.git_support import make_repo

pytestmark = pytest.mark.docker

LINES = 100
"""Lines of the step: one every 100 ms, 10 s in all."""


@pytest.fixture
def server(live_server: LiveServer) -> LiveServer:
    """The live server process, restarted with an RPC secret."""
    live_server.kill(signal.SIGTERM)
    live_server.start({"CONVEYOR_RPC_SECRET": RPC_SECRET})
    return live_server


def test_a_server_killed_during_a_build_loses_no_line(
    server: LiveServer, tmp_path: Path, testenv: LocalEnv
) -> None:
    """The issue's scenario: a step prints a numbered line every 100 ms for 10 s; the server is
    killed with SIGKILL while it prints (line 20 stored), and started again 2 s later."""
    repo = make_repo(
        tmp_path / "git", {".drone.yml": COUNTER.format(image=testenv.image, lines=LINES)}
    )
    site = Site(base=server.url, http=admin_session(), repo=repo)
    site.api("POST", f"/repos/{SLUG}", json={"git_http_url": repo.url})
    log = tmp_path / "agent.log"
    with agent_process(server.url, tmp_path / "state", log, "--name", "a1"):
        number = site.build()
        site.wait(number, lambda _build: "line 20\n" in site.log(number, 1, 2))
        server.kill(signal.SIGKILL)
        time.sleep(2.0)  # the step keeps printing while the server is away
        server.start({"CONVEYOR_RPC_SECRET": RPC_SECRET})
        build = site.finished(number)
    assert build["status"] == "success", (build, log.read_text())
    assert [step["status"] for step in build["stages"][0]["steps"]] == ["success", "success"]
    lines = site.api("GET", f"/repos/{SLUG}/builds/{number}/logs/1/2")
    assert [line["pos"] for line in lines] == list(range(LINES + 1))
    outs = [line["out"] for line in lines]
    assert outs[0].startswith("+ for i in")
    assert outs[1:] == [f"line {n}\n" for n in range(1, LINES + 1)], log.read_text()
