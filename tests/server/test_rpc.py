"""The agent protocol as an agent speaks it: auth and version refusals, claim with matching,
the assignment's content, reports that extend the lease, logs stored once, the end of a stage
releasing the next, and a stage that is not the caller's any more."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from conveyor.rpc import PREFIX, PROTOCOL
from conveyor.rpc.assignment import Assignment
from conveyor.server.store.models import LogChunk, Stage

from .builds_support import make_project
from .conftest import Api
from .rpc_support import PIPELINE, Agent, agent_headers

REQUEST = f"{PREFIX}/stages/request"


def _secret(api: Api, name: str, data: str) -> None:
    answer = api.client.post(
        "/api/repos/octo/app/secrets", json={"name": name, "data": data}, headers=api.admin
    )
    assert answer.status_code == 200 or answer.status_code == 201, answer.text


def test_a_server_without_rpc_secret_refuses_every_agent(api: Api) -> None:
    answer = api.client.post(REQUEST, json={"agent": {"name": "a"}}, headers=agent_headers())
    assert answer.status_code == 401
    assert "no CONVEYOR_RPC_SECRET" in answer.json()["message"]


def test_wrong_secret_and_other_protocol_are_refused(rpc_api: Api) -> None:
    body = {"agent": {"name": "a"}}
    wrong = rpc_api.client.post(REQUEST, json=body, headers=agent_headers(secret="nope"))
    assert wrong.status_code == 401
    assert "nope" not in wrong.text
    old = str(PROTOCOL - 1)
    other = rpc_api.client.post(REQUEST, json=body, headers=agent_headers(protocol=old))
    assert other.status_code == 426
    assert other.json()["message"].startswith(
        f"agent speaks protocol {old}, server speaks {PROTOCOL}"
    )


def test_a_malformed_request_names_the_key(rpc_api: Api) -> None:
    answer = rpc_api.client.post(
        REQUEST, json={"agent": {"name": "a", "capacity": "x"}}, headers=agent_headers()
    )
    assert answer.status_code == 400
    assert answer.json()["message"] == "request.agent.capacity must be a whole number."


def test_the_assignment_carries_only_the_secrets_the_stage_names(
    rpc_api: Api, tmp_path: Path
) -> None:
    project = make_project(rpc_api, tmp_path, PIPELINE)
    _secret(rpc_api, "token", "t0ken-value")
    _secret(rpc_api, "unrelated", "never-sent")
    assert project.build().status_code == 201
    agent = Agent(rpc_api.client, "a1", labels={"x": "1"})
    stage = Assignment.from_data(agent.claim())
    assert stage.stage.name == "build"
    assert [(s.number, s.name) for s in stage.steps] == [(1, "clone"), (2, "test")]
    assert stage.job["secrets"] == {"token": "t0ken-value"}
    assert stage.build.commit == project.git.head()
    assert stage.repo.git_http_url == project.git.url
    assert stage.job["build"]["event"] == "custom"  # type: ignore[index]
    assert stage.clone.disable is False
    assert agent.request().status_code == 204  # deploy waits for build
    with rpc_api.state.sessions() as session:
        row = session.get(Stage, stage.stage_id)
        assert row is not None
        assert (row.status, row.machine) == ("running", "a1")
        assert row.lease_until > row.contact > 0


def test_matching_needs_type_platform_and_labels(rpc_api: Api, tmp_path: Path) -> None:
    gpu = PIPELINE.replace("name: build\n", "name: build\nnode: {gpu: 'yes'}\n", 1)
    make_project(rpc_api, tmp_path, gpu).build()
    assert Agent(rpc_api.client, "plain").request().status_code == 204
    assert (
        Agent(rpc_api.client, "arm", labels={"gpu": "yes"}, platform={"arch": "arm64"})
        .request()
        .status_code
        == 204
    )
    other_type = Agent(rpc_api.client, "k8s", labels={"gpu": "yes"})
    assert other_type.request(types=["kubernetes"]).status_code == 204
    assert Agent(rpc_api.client, "gpu", labels={"gpu": "yes"}).request().status_code == 200


def test_a_stage_runs_to_success_and_releases_the_next(rpc_api: Api, tmp_path: Path) -> None:
    make_project(rpc_api, tmp_path, PIPELINE).build()
    agent = Agent(rpc_api.client, "a1")
    sid = agent.claim()["stage_id"]
    running = [{"number": 1, "status": "running", "started": 10}]
    assert agent.post(sid, "steps", steps=running).status_code == 200
    beat = agent.post(sid, "heartbeat")
    assert beat.json() == {"cancel": False, "lease_seconds": 30.0}
    lines = [{"step": 2, "pos": i, "out": f"line {i}\n", "time": 0} for i in range(3)]
    assert agent.logs(sid, lines).json() == {"stored": 3}
    assert agent.logs(sid, [*lines, {"step": 2, "pos": 3, "out": "x\n"}]).json() == {"stored": 1}
    done = [
        {"number": 1, "status": "success", "started": 10, "finished": 11, "exit_code": 0},
        {"number": 2, "status": "success", "started": 11, "finished": 12, "exit_code": 0},
    ]
    assert agent.post(sid, "done", status="success", steps=done).status_code == 200
    logs = rpc_api.client.get("/api/repos/octo/app/builds/1/logs/1/2", headers=rpc_api.admin)
    assert [line["out"] for line in logs.json()] == ["line 0\n", "line 1\n", "line 2\n", "x\n"]
    build = rpc_api.client.get("/api/repos/octo/app/builds/1", headers=rpc_api.admin).json()
    assert [s["status"] for s in build["stages"]] == ["success", "pending"]
    assert build["status"] == "running"
    second = agent.claim()
    assert second["stage"]["name"] == "deploy"
    assert agent.post(second["stage_id"], "done", status="failure").status_code == 200
    build = rpc_api.client.get("/api/repos/octo/app/builds/1", headers=rpc_api.admin).json()
    assert build["status"] == "failure"
    assert [s["status"] for s in build["stages"][1]["steps"]] == ["skipped", "skipped"]


def test_a_failed_stage_skips_its_dependents(rpc_api: Api, tmp_path: Path) -> None:
    make_project(rpc_api, tmp_path, PIPELINE).build()
    agent = Agent(rpc_api.client, "a1")
    sid = agent.claim()["stage_id"]
    assert agent.post(sid, "done", status="failure", error="step test exited 1").status_code == 200
    build = rpc_api.client.get("/api/repos/octo/app/builds/1", headers=rpc_api.admin).json()
    assert [s["status"] for s in build["stages"]] == ["failure", "skipped"]
    assert build["status"] == "failure"


def test_reports_about_a_stage_not_ones_own_are_409(rpc_api: Api, tmp_path: Path) -> None:
    make_project(rpc_api, tmp_path, PIPELINE).build()
    owner = Agent(rpc_api.client, "a1")
    sid = owner.claim()["stage_id"]
    thief = Agent(rpc_api.client, "a2")
    answer = thief.post(sid, "heartbeat")
    assert answer.status_code == 409
    assert "not agent a2's" in answer.json()["message"]
    assert owner.post(sid, "done", status="success").status_code == 200
    late = owner.logs(sid, [{"step": 1, "pos": 0, "out": "late\n"}])
    assert late.status_code == 409
    assert "no longer running (success)" in late.json()["message"]
    assert owner.post(999999, "heartbeat").status_code == 409
    with rpc_api.state.sessions() as session:
        assert session.scalars(select(LogChunk)).all() == []


def test_unknown_step_numbers_are_refused(rpc_api: Api, tmp_path: Path) -> None:
    make_project(rpc_api, tmp_path, PIPELINE).build()
    agent = Agent(rpc_api.client, "a1")
    sid = agent.claim()["stage_id"]
    answer = agent.logs(sid, [{"step": 9, "pos": 0, "out": "x\n"}])
    assert answer.status_code == 409
    assert "has no step 9" in answer.json()["message"]


def _claim_all(client: TestClient, name: str, won: list[tuple[str, int]]) -> None:
    agent = Agent(client, name)
    while True:
        answer: Any = agent.request()
        if answer.status_code == 204:
            return
        if answer.status_code != 200:
            won.append((answer.text, -1))
            return
        won.append((name, answer.json()["stage"]["stage_id"]))


def test_concurrent_agents_never_get_the_same_stage(rpc_api: Api, tmp_path: Path) -> None:
    project = make_project(rpc_api, tmp_path, PIPELINE.split("---")[0])
    for _ in range(8):
        assert project.build().status_code == 201
    won: list[tuple[str, int]] = []
    threads = [
        threading.Thread(target=_claim_all, args=(rpc_api.client, f"agent-{i}", won))
        for i in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [stage for _, stage in won]
    assert -1 not in ids, won
    assert len(ids) == 8
    assert len(set(ids)) == 8


PARALLEL = """\
kind: pipeline
type: docker
name: one
steps:
- name: a
  image: ci-test/busybox:1
  commands: [echo a]
---
kind: pipeline
type: docker
name: two
steps:
- name: b
  image: ci-test/busybox:1
  commands: [echo b]
"""


def test_two_stages_ending_at_once_end_the_build(rpc_api: Api, tmp_path: Path) -> None:
    project = make_project(rpc_api, tmp_path, PARALLEL)
    for number in range(1, 6):
        assert project.build().status_code == 201
        claims = [Agent(rpc_api.client, f"a{i}").claim()["stage_id"] for i in range(2)]
        threads = [
            threading.Thread(
                target=Agent(rpc_api.client, f"a{i}").post,
                args=(sid, "done"),
                kwargs={"status": "success"},
            )
            for i, sid in enumerate(claims)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        build = rpc_api.client.get(f"/api/repos/octo/app/builds/{number}", headers=rpc_api.admin)
        assert [s["status"] for s in build.json()["stages"]] == ["success", "success"]
        assert build.json()["status"] == "success"
