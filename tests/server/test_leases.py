"""Leases and cancel: a silent agent's stage becomes `error` with its name and last contact
(never requeued), the agent then hears 409; a cancel reaches the agent in its heartbeat; what
never started ends `skipped`, what ran `killed`."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from conveyor.server.app import create_app
from conveyor.server.rpc.reaper import reap
from conveyor.server.startup import open_state
from conveyor.server.store.models import Stage

from .builds_support import make_project
from .conftest import RPC_SECRET, Api, make_settings
from .rpc_support import PIPELINE, Agent


def _build(api: Api) -> dict[str, object]:
    answer = api.client.get("/api/repos/octo/app/builds/1", headers=api.admin)
    assert answer.status_code == 200
    result: dict[str, object] = answer.json()
    return result


def test_an_expired_lease_ends_the_stage_with_the_reason(rpc_api: Api, tmp_path: Path) -> None:
    make_project(rpc_api, tmp_path, PIPELINE).build()
    agent = Agent(rpc_api.client, "silent-agent")
    sid = agent.claim()["stage_id"]
    agent.post(sid, "steps", steps=[{"number": 1, "status": "running", "started": 1}])
    with rpc_api.state.sessions.begin() as session:
        assert reap(session, time.time()) == []  # the lease still runs
        assert reap(session, time.time() + 3600) == [sid]
    build = _build(rpc_api)
    stages = build["stages"]
    assert isinstance(stages, list)
    first = stages[0]
    assert first["status"] == "error"
    assert first["error"].startswith("agent silent-agent stopped answering at 20")
    assert first["error"].endswith(" UTC")
    assert [s["status"] for s in first["steps"]] == ["error", "skipped"]
    assert stages[1]["status"] == "skipped"
    assert build["status"] == "error"
    late = agent.post(sid, "heartbeat")
    assert late.status_code == 409
    assert "stopped answering" in late.json()["message"]
    assert agent.request().status_code == 204  # never requeued


def test_the_reaper_runs_in_the_server(tmp_path: Path, db_url: str) -> None:
    settings = make_settings(tmp_path / "data", db_url, rpc_secret=RPC_SECRET, lease=1.0)
    state = open_state(settings)
    with TestClient(create_app(settings, state), raise_server_exceptions=False) as client:
        api = Api(client.app, client, state)  # type: ignore[arg-type]
        make_project(api, tmp_path, PIPELINE).build()
        sid = Agent(client, "a1").claim()["stage_id"]
        deadline = time.monotonic() + 30
        status = "running"
        while status == "running" and time.monotonic() < deadline:
            time.sleep(0.2)
            with state.sessions() as session:
                row = session.get(Stage, sid)
                assert row is not None
                status = row.status
        assert status == "error"
    state.engine.dispose()


def test_cancel_reaches_the_agent_in_its_heartbeat(rpc_api: Api, tmp_path: Path) -> None:
    make_project(rpc_api, tmp_path, PIPELINE).build()
    agent = Agent(rpc_api.client, "a1")
    sid = agent.claim()["stage_id"]
    agent.post(sid, "steps", steps=[{"number": 1, "status": "running", "started": 1}])
    assert agent.post(sid, "heartbeat").json()["cancel"] is False
    cancel = rpc_api.client.delete("/api/repos/octo/app/builds/1", headers=rpc_api.admin)
    assert cancel.status_code == 200
    # the stage that never started is skipped, as Drone does; the running one is flagged
    assert [s["status"] for s in cancel.json()["stages"]] == ["running", "skipped"]
    assert cancel.json()["status"] == "running"
    assert agent.post(sid, "heartbeat").json()["cancel"] is True
    assert agent.post(sid, "done", status="killed").status_code == 200
    build = _build(rpc_api)
    assert build["status"] == "killed"
    stages = build["stages"]
    assert isinstance(stages, list)
    # steps the done report left open: the started one is killed, the others skipped
    assert [[step["status"] for step in stage["steps"]] for stage in stages] == [
        ["killed", "skipped"],
        ["skipped", "skipped"],
    ]


def test_a_held_heartbeat_answers_when_the_build_is_cancelled(rpc_api: Api, tmp_path: Path) -> None:
    make_project(rpc_api, tmp_path, PIPELINE).build()
    agent = Agent(rpc_api.client, "a1")
    sid = agent.claim()["stage_id"]
    signal = rpc_api.app.state.conveyor.cancel_signal
    answers: list[Any] = []
    held = threading.Thread(target=lambda: answers.append(agent.post(sid, "heartbeat", wait=10)))
    held.start()
    deadline = time.monotonic() + 30
    while signal.waiting == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert signal.waiting == 1, "the heartbeat is not held"
    cancel = rpc_api.client.delete("/api/repos/octo/app/builds/1", headers=rpc_api.admin)
    assert cancel.status_code == 200
    held.join(timeout=30)
    (answer,) = answers
    # held to its end (10 s), the heartbeat would have said cancel: false
    assert answer.json() == {"cancel": True, "lease_seconds": 30.0}


def test_a_heartbeat_of_a_cancelled_stage_is_not_held(rpc_api: Api, tmp_path: Path) -> None:
    make_project(rpc_api, tmp_path, PIPELINE).build()
    agent = Agent(rpc_api.client, "a1")
    sid = agent.claim()["stage_id"]
    rpc_api.client.delete("/api/repos/octo/app/builds/1", headers=rpc_api.admin)
    assert agent.post(sid, "heartbeat", wait=10).json()["cancel"] is True
    refused = agent.post(sid, "heartbeat", wait=-1)
    assert (refused.status_code, refused.json()["message"]) == (
        400,
        "heartbeat.wait must not be negative.",
    )
