"""The queue at the agent boundary: a pending stage is claimed once, however many claim it at
the same time; platform and `node:` labels are matched; a killed server loses no build."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from sqlalchemy import select

from conveyor.server.queue import AgentFilter, claim, pending
from conveyor.server.startup import ServerState
from conveyor.server.states import Status
from conveyor.server.store.models import Build, Stage

from .builds_support import make_project
from .conftest import Api


def _claim_all(state: ServerState, name: str, won: list[tuple[str, int]]) -> None:
    while True:
        with state.sessions.begin() as session:
            stage = claim(session, AgentFilter(machine=name))
            got = None if stage is None else stage.id
        if got is None:
            return
        won.append((name, got))


def test_two_concurrent_claimers_claim_each_stage_once(api: Api, tmp_path: Path) -> None:
    project = make_project(api, tmp_path)
    for _ in range(6):
        assert project.build().status_code == 201
    with api.state.sessions() as session:
        queued = {stage.id for stage in pending(session)}
    assert len(queued) == 6
    won: list[tuple[str, int]] = []
    threads = [
        threading.Thread(target=_claim_all, args=(api.state, f"agent-{i}", won)) for i in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(stage for _, stage in won) == sorted(queued)
    with api.state.sessions() as session:
        stages = session.scalars(select(Stage).where(Stage.id.in_(queued)))
        assert {(s.status, s.machine) for s in stages} == {
            (Status.RUNNING.value, name) for name, _ in won
        }
        assert {b.status for b in session.scalars(select(Build))} == {Status.RUNNING.value}


def test_labels_and_platform_must_match(api: Api, tmp_path: Path) -> None:
    project = make_project(api, tmp_path)
    project.build()
    with api.state.sessions.begin() as session:
        stage = session.scalar(select(Stage).where(Stage.status == Status.PENDING))
        assert stage is not None
        stage.labels = json.dumps({"gpu": "yes"})
    with api.state.sessions.begin() as session:
        assert claim(session, AgentFilter(machine="a")) is None
        assert claim(session, AgentFilter(machine="a", arch="arm64", labels={"gpu": "yes"})) is None
        got = claim(session, AgentFilter(machine="a", labels={"gpu": "yes", "x": "1"}))
        assert got is not None
        assert got.machine == "a"
