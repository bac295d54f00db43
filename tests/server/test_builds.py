"""Builds from the API, read from real git: stages per pipeline with depends_on, a broken file
is a failed build listing its diagnostics, restart, cancel, approval, logs."""

from __future__ import annotations

from pathlib import Path

from conveyor.server.logstore import Chunk, Line, append, from_lines, lines_after, single
from conveyor.server.store.models import Step

from .builds_support import BROKEN, Project, make_project
from .conftest import Api


def test_build_has_one_stage_per_pipeline(api: Api, tmp_path: Path) -> None:
    project = make_project(api, tmp_path)
    answer = project.build(branch="main", greeting="hello")
    assert answer.status_code == 201, answer.text
    build = answer.json()
    assert (build["number"], build["status"], build["event"]) == (1, "pending", "custom")
    assert build["after"] == project.git.head()
    assert build["params"] == {"greeting": "hello"}
    assert build["author_email"] == "alice@example.test"
    stages = build["stages"]
    assert [(s["name"], s["status"], s["depends_on"]) for s in stages] == [
        ("build", "pending", []),
        ("deploy", "waiting_on_dependencies", ["build"]),
    ]
    assert [step["name"] for step in stages[0]["steps"]] == ["clone", "test"]
    assert stages[0]["steps"][0]["step_id"] == stages[0]["id"]
    listed = api.client.get("/api/repos/octo/app/builds", headers=api.admin).json()
    assert [b["number"] for b in listed] == [1]
    assert "stages" not in listed[0]
    assert api.client.get("/api/repos/octo/app", headers=api.admin).json()["counter"] == 1


def test_broken_file_is_a_failed_build_listing_every_diagnostic(api: Api, tmp_path: Path) -> None:
    project = make_project(api, tmp_path, BROKEN)
    build = project.build().json()
    assert build["status"] == "failure"
    assert build["stages"] == []
    assert ".drone.yml:6:" in build["error"]
    assert ".drone.yml:7:" in build["error"]


def test_unknown_branch_is_refused(api: Api, tmp_path: Path) -> None:
    project = make_project(api, tmp_path)
    answer = project.build(branch="nope")
    assert answer.status_code == 400
    assert answer.json()["message"].startswith("field branch:")
    assert api.client.get("/api/repos/octo/app/builds", headers=api.admin).json() == []


def test_missing_pipeline_file_is_a_failed_build(api: Api, tmp_path: Path) -> None:
    project = make_project(api, tmp_path)
    api.client.patch("/api/repos/octo/app", json={"config_path": "ci/none.yml"}, headers=api.admin)
    build = project.build().json()
    assert build["status"] == "failure"
    assert "ci/none.yml does not exist" in build["error"]


def test_restart_and_cancel(api: Api, tmp_path: Path) -> None:
    project = make_project(api, tmp_path)
    project.build(branch="main")
    restarted = api.client.post("/api/repos/octo/app/builds/1", headers=api.admin).json()
    assert (restarted["number"], restarted["parent"]) == (2, 1)
    killed = api.client.delete("/api/repos/octo/app/builds/2", headers=api.admin).json()
    assert killed["status"] == "killed"
    # nothing of it had started: stages and steps are skipped, as Drone does
    assert {s["status"] for s in killed["stages"]} == {"skipped"}
    assert {st["status"] for s in killed["stages"] for st in s["steps"]} == {"skipped"}
    again = api.client.delete("/api/repos/octo/app/builds/2", headers=api.admin)
    assert again.status_code == 409
    assert api.client.get("/api/repos/octo/app/builds/9", headers=api.admin).status_code == 404


def test_approve_and_decline_blocked_stages(api: Api, tmp_path: Path) -> None:
    project = make_project(api, tmp_path, protected=True)
    assert project.push_hook(delivery="d-1").status_code == 200
    build = api.client.get("/api/repos/octo/app/builds/1", headers=api.admin).json()
    assert build["status"] == "blocked"
    assert [s["status"] for s in build["stages"]] == ["blocked", "blocked"]
    approved = api.client.post("/api/repos/octo/app/builds/1/approve/1", headers=api.admin).json()
    assert [s["status"] for s in approved["stages"]] == ["pending", "blocked"]
    declined = api.client.post("/api/repos/octo/app/builds/1/decline/2", headers=api.admin).json()
    assert [s["status"] for s in declined["stages"]] == ["pending", "declined"]
    assert declined["status"] == "pending"
    twice = api.client.post("/api/repos/octo/app/builds/1/decline/2", headers=api.admin)
    assert twice.status_code == 409
    missing = api.client.post("/api/repos/octo/app/builds/1/approve/7", headers=api.admin)
    assert missing.status_code == 404


def test_logs_as_json_and_text(api: Api, tmp_path: Path) -> None:
    project: Project = make_project(api, tmp_path)
    build = project.build().json()
    step_id = build["stages"][0]["steps"][0]["id"]
    with api.state.sessions.begin() as session:
        assert session.get(Step, step_id) is not None
        first = from_lines([Line(pos=0, out="+ echo hi\n"), Line(pos=1, out="hi\n", time=1)])
        assert append(session, step_id, first) == first
        assert append(session, step_id, [single(1, "hi\n", 1)]) == []
    url = "/api/repos/octo/app/builds/1/logs/1/1"
    assert api.client.get(url, headers=api.admin).json() == [
        {"pos": 0, "out": "+ echo hi\n", "time": 0},
        {"pos": 1, "out": "hi\n", "time": 1},
    ]
    assert api.client.get(url + "?format=text", headers=api.admin).text == "+ echo hi\nhi\n"
    text = api.client.get(url, headers={**api.admin, "Accept": "text/plain"})
    assert text.text == "+ echo hi\nhi\n"
    assert (
        api.client.get("/api/repos/octo/app/builds/1/logs/1/5", headers=api.admin).status_code
        == 404
    )


def test_a_batch_around_stored_lines_stores_only_the_new_ones(api: Api, tmp_path: Path) -> None:
    project: Project = make_project(api, tmp_path)
    step_id = project.build().json()["stages"][0]["steps"][0]["id"]
    with api.state.sessions.begin() as session:
        append(session, step_id, from_lines(Line(pos=p, out=f"{p}\n") for p in (0, 1, 2)))
        again = [Line(pos=p, out=f"{p} again\n", time=p) for p in (5, 2, 3)]
        new = append(session, step_id, from_lines(again))
        assert [line for chunk in new for line in chunk.lines()] == [again[2], again[0]]
        assert append(session, step_id, [single(4, "4\n")]) == [single(4, "4\n")]
        # a run over stored and new positions keeps only its new parts, times included
        run = Chunk(0, [f"{p} late\n" for p in range(9)], [(4, 7), (5, 8)])
        assert [(c.pos, list(c.outs), list(c.times)) for c in append(session, step_id, [run])] == [
            (6, ["6 late\n", "7 late\n", "8 late\n"], [(3, 8)])
        ]
        assert [(ln.pos, ln.time) for ln in lines_after(session, step_id, 4, limit=3)] == [
            (5, 5),
            (6, 8),
            (7, 8),
        ]
    url = "/api/repos/octo/app/builds/1/logs/1/1?format=text"
    assert api.client.get(url, headers=api.admin).text == (
        "0\n1\n2\n3 again\n4\n5 again\n6 late\n7 late\n8 late\n"
    )
