"""GET /api/agents and GET /api/queue (why each stage waits), pause and resume: system admins
only; the reasons follow the agents that asked and what they run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from conveyor.server.store.models import Stage

from .builds_support import make_project
from .conftest import Api
from .rpc_support import PIPELINE, Agent

ROUTES = [
    ("GET", "/api/agents"),
    ("GET", "/api/queue"),
    ("POST", "/api/queue/pause"),
    ("POST", "/api/queue/resume"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_only_a_system_admin_may(rpc_api: Api, method: str, path: str) -> None:
    assert rpc_api.client.request(method, path).status_code == 401
    alice = rpc_api.user("alice")
    answer = rpc_api.client.request(method, path, headers=alice)
    assert answer.status_code == 403
    assert answer.json()["message"] == "only a system admin may do this"


def _reasons(api: Api) -> list[tuple[str, str]]:
    answer = api.client.get("/api/queue", headers=api.admin)
    assert answer.status_code == 200, answer.text
    return [(item["name"], item["reason"]) for item in answer.json()]


def test_the_queue_says_why_each_stage_waits(rpc_api: Api, tmp_path: Path) -> None:
    gpu = PIPELINE.replace("name: build\n", "name: build\nnode: {gpu: 'yes'}\n", 1)
    make_project(rpc_api, tmp_path, gpu).build()
    assert _reasons(rpc_api) == [
        ("build", "no agent is connected"),
        ("deploy", "waiting for stage build"),
    ]
    assert Agent(rpc_api.client, "plain").request().status_code == 204
    assert _reasons(rpc_api)[0] == (
        "build",
        "no agent with its labels or platform (plain: labels gpu=yes)",
    )
    gpu_agent = Agent(rpc_api.client, "gpu-1", labels={"gpu": "yes"}, capacity=1)
    gpu_agent.claim()
    assert [name for name, _ in _reasons(rpc_api)] == ["deploy"]
    make_project_build(rpc_api)
    reasons = dict(_reasons(rpc_api))
    assert reasons["build"] == "every matching agent is busy (gpu-1 1/1)"


def make_project_build(api: Api) -> None:
    """One more build of the project already added."""
    answer = api.client.post("/api/repos/octo/app/builds", headers=api.admin)
    assert answer.status_code == 201, answer.text


def test_a_blocked_stage_waits_for_approval(rpc_api: Api, tmp_path: Path) -> None:
    make_project(rpc_api, tmp_path, PIPELINE).build()
    with rpc_api.state.sessions.begin() as session:
        stage = session.scalar(select(Stage).where(Stage.name == "build"))
        assert stage is not None
        stage.status = "blocked"
    assert _reasons(rpc_api)[0] == ("build", "blocked: waiting for approval")


def test_agents_show_labels_capacity_and_running_stages(rpc_api: Api, tmp_path: Path) -> None:
    make_project(rpc_api, tmp_path, PIPELINE).build()
    agent = Agent(
        rpc_api.client,
        "a1",
        labels={"zone": "eu"},
        capacity=3,
        platform={"os": "linux", "arch": "amd64"},
        version="0.1.0",
    )
    agent.claim()
    answer = rpc_api.client.get("/api/agents", headers=rpc_api.admin)
    assert answer.status_code == 200
    (listed,) = answer.json()
    assert listed["name"] == "a1"
    assert listed["platform"] == "linux/amd64"
    assert listed["labels"] == {"zone": "eu"}
    assert listed["capacity"] == 3
    assert listed["version"] == "0.1.0"
    assert listed["running"] == [{"repo": "octo/app", "build": 1, "stage": 1, "name": "build"}]
    assert listed["last_contact"] > 0


def test_a_paused_queue_hands_out_nothing(rpc_api: Api, tmp_path: Path) -> None:
    make_project(rpc_api, tmp_path, PIPELINE).build()
    paused: Any = rpc_api.client.post("/api/queue/pause", headers=rpc_api.admin)
    assert paused.json() == {"paused": True}
    agent = Agent(rpc_api.client, "a1")
    assert agent.request().status_code == 204
    assert _reasons(rpc_api)[0] == ("build", "the queue is paused (POST /api/queue/resume)")
    resumed = rpc_api.client.post("/api/queue/resume", headers=rpc_api.admin)
    assert resumed.json() == {"paused": False}
    assert agent.request().status_code == 200


LIMITED = """\
kind: pipeline
type: docker
name: deploy
concurrency:
  limit: 1
steps:
- name: ship
  image: ci-test/busybox:1
  commands: [echo ship]
"""


def test_a_concurrency_limit_holds_the_next_stage(rpc_api: Api, tmp_path: Path) -> None:
    project = make_project(rpc_api, tmp_path, LIMITED)
    project.build()
    project.build()
    agent = Agent(rpc_api.client, "a1", capacity=4)
    first = agent.claim()["stage_id"]
    assert agent.request().status_code == 204
    assert _reasons(rpc_api) == [
        ("deploy", "concurrency limit reached: 1 of pipeline deploy already running")
    ]
    assert agent.post(first, "done", status="success").status_code == 200
    assert agent.claim()["build"]["number"] == 2
