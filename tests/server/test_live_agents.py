"""`conveyor server` as a process with agents: the lease reaper runs in the real server
(`CONVEYOR_LEASE`), and a stop (SIGTERM) with a live stream open still ends the process."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx

from conveyor.rpc import PREFIX

from .conftest import ADMIN_TOKEN, RPC_SECRET, LiveServer, free_port
from .git_support import make_repo
from .rpc_support import PIPELINE, agent_headers
from .test_live_server import _call


def test_a_silent_agent_loses_its_stage_in_the_real_server(tmp_path: Path, db_url: str) -> None:
    server = LiveServer(
        url=f"http://127.0.0.1:{free_port()}",
        token=ADMIN_TOKEN,
        data_dir=tmp_path / "live",
        database_url=db_url,
        log=tmp_path / "server.log",
    )
    server.start({"CONVEYOR_RPC_SECRET": RPC_SECRET, "CONVEYOR_LEASE": "1s"})
    try:
        git = make_repo(tmp_path / "git", {".drone.yml": PIPELINE})
        _call(server, "POST", "/api/repos/octo/app", {"git_http_url": git.url})
        _call(server, "POST", "/api/repos/octo/app/builds")
        claimed = httpx.post(
            f"{server.url}{PREFIX}/stages/request",
            json={"agent": {"name": "gone"}, "wait": 5},
            headers=agent_headers(),
            timeout=30,
        )
        assert claimed.status_code == 200, claimed.text
        deadline = time.monotonic() + 30
        build = _call(server, "GET", "/api/repos/octo/app/builds/1")
        while build["status"] == "running" and time.monotonic() < deadline:
            time.sleep(0.2)
            build = _call(server, "GET", "/api/repos/octo/app/builds/1")
        assert build["status"] == "error"
        assert build["stages"][0]["error"].startswith("agent gone stopped answering at ")
        with httpx.stream(
            "GET", server.url + "/api/stream", headers=server.headers, timeout=30
        ) as response:
            assert response.status_code == 200
            server.kill(signal.SIGTERM)  # waits for the process: the open stream must not hold it
        assert server.process is not None
        assert server.process.returncode in {0, -signal.SIGTERM}, server.log.read_text()
        assert "timeout graceful shutdown exceeded" in server.log.read_text()
    finally:
        server.kill()
