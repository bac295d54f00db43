"""Builds planned outside the write transaction (server/build_intake.py), on SQLite and
PostgreSQL: what happens when the repository changes while its build is read and planned.

The changes are made from inside the planning window, by wrapping the real git read or the
real `plan_build` (they still do their work): another webhook through the same app, a
deactivated or removed repository, a write to the repository's row.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from conveyor.plan.codec import plan_from_json
from conveyor.server import build_intake
from conveyor.server.store.db import SQLITE_BUSY_MS
from conveyor.server.store.models import Build, Delivery, Repo, Stage

from .builds_support import make_project
from .conftest import Api


def _wrap(monkeypatch: pytest.MonkeyPatch, name: str, before: Callable[[int], None]) -> list[int]:
    """Replace build_intake's `name` by a wrapper that calls `before(n)` (n: 1 for the first
    call) and then the real function; returns the list of calls' n, which grows as they run."""
    real = getattr(build_intake, name)
    calls: list[int] = []

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(len(calls) + 1)
        before(calls[-1])
        return real(*args, **kwargs)

    monkeypatch.setattr(build_intake, name, wrapper)
    return calls


def _numbers(api: Api) -> list[int]:
    with api.state.sessions() as session:
        return list(session.scalars(select(Build.number).order_by(Build.number)))


def _counter(api: Api) -> int:
    with api.state.sessions() as session:
        counter = session.scalar(select(Repo.counter).where(Repo.slug == "octo/app"))
    assert counter is not None
    return counter


def _deliveries(api: Api) -> int:
    with api.state.sessions() as session:
        return session.scalar(select(func.count()).select_from(Delivery)) or 0


def _build_numbers_in_plans(api: Api, number: int) -> set[str]:
    """DRONE_BUILD_NUMBER of every step of build `number`'s stored plans."""
    with api.state.sessions() as session:
        plans = session.scalars(
            select(Stage.plan_json)
            .join(Build, Build.id == Stage.build_id)
            .where(Build.number == number)
        )
        found = {
            step.environment["DRONE_BUILD_NUMBER"]
            for plan_json in plans
            if plan_json
            for step in plan_from_json(plan_json).steps
        }
    assert found
    return found


def test_a_number_taken_meanwhile_is_planned_again_for_the_next(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(api, tmp_path)
    other: list[Any] = []

    def another_push(n: int) -> None:
        if n == 1:  # the outer webhook's git read: another webhook builds meanwhile
            other.append(project.push_hook(delivery="other"))

    _wrap(monkeypatch, "read_pipeline", another_push)
    answer = project.push_hook(delivery="first")
    assert other[0].json()["number"] == 1, other[0].text
    assert answer.status_code == 200, answer.text
    assert answer.json()["number"] == 2
    assert _numbers(api) == [1, 2]
    assert _counter(api) == 2
    assert _build_numbers_in_plans(api, 1) == {"1"}
    assert _build_numbers_in_plans(api, 2) == {"2"}


def test_numbers_that_keep_being_taken_end_with_planning_inside_the_transaction(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(api, tmp_path)
    depth: list[int] = []

    def build_meanwhile(n: int) -> None:
        if depth or n > build_intake.OPTIMISTIC_ATTEMPTS * 2:
            return  # the nested webhooks' own plannings, and the last, in-transaction one
        depth.append(n)
        try:
            assert project.push_hook(delivery=f"other-{n}").status_code == 200
        finally:
            depth.pop()

    calls = _wrap(monkeypatch, "plan_build", build_meanwhile)
    answer = project.push_hook(delivery="first")
    assert answer.status_code == 200, answer.text
    attempts = build_intake.OPTIMISTIC_ATTEMPTS
    assert answer.json()["number"] == attempts + 1
    assert len(calls) == attempts * 2 + 1  # each miss, the build that took it, the last
    assert _numbers(api) == list(range(1, attempts + 2))
    assert _build_numbers_in_plans(api, attempts + 1) == {str(attempts + 1)}
    assert _deliveries(api) == attempts + 1


def test_a_replay_racing_its_first_delivery_builds_once(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(api, tmp_path)
    replays: list[Any] = []

    def replay(n: int) -> None:
        if n == 1:
            replays.append(project.push_hook(delivery="same"))

    _wrap(monkeypatch, "read_pipeline", replay)
    first = project.push_hook(delivery="same")
    assert replays[0].json()["number"] == 1, replays[0].text
    assert first.status_code == 200, first.text
    assert "duplicate delivery same" in first.json()["message"]
    assert _numbers(api) == [1]
    assert _deliveries(api) == 1
    assert _counter(api) == 1  # the refused build's number was not kept: no gap
    monkeypatch.undo()
    assert project.push_hook(delivery="next").json()["number"] == 2


def test_a_repository_deactivated_meanwhile_gets_no_build(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(api, tmp_path)

    def deactivate(_n: int) -> None:
        answer = api.client.patch("/api/repos/octo/app", json={"active": False}, headers=api.admin)
        assert answer.status_code == 200, answer.text

    _wrap(monkeypatch, "read_pipeline", deactivate)
    answer = project.push_hook(delivery="d1")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"message": "ignored: octo/app is not active"}
    assert (_numbers(api), _deliveries(api), _counter(api)) == ([], 0, 0)


def test_a_repository_removed_meanwhile_gets_no_build(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(api, tmp_path)

    def remove(_n: int) -> None:
        answer = api.client.delete("/api/repos/octo/app", headers=api.admin)
        assert answer.status_code in (200, 204), answer.text

    _wrap(monkeypatch, "read_pipeline", remove)
    answer = project.push_hook(delivery="r1")
    assert answer.status_code == 401, answer.text
    assert (_numbers(api), _deliveries(api)) == ([], 0)


def test_a_build_from_the_api_of_a_repository_removed_meanwhile_is_404(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(api, tmp_path)

    def remove(_n: int) -> None:
        assert api.client.delete("/api/repos/octo/app", headers=api.admin).status_code < 300

    _wrap(monkeypatch, "read_pipeline", remove)
    answer = project.build()
    assert answer.status_code == 404, answer.text
    assert _numbers(api) == []


def _write_repo_row(api: Api) -> None:
    """Another connection writes the repository's row, giving up on a lock after a second
    instead of the server's 30 (so that a failing test fails soon; the wait is not measured)."""
    with api.state.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw: Any = connection.connection.dbapi_connection  # a PRAGMA without a transaction
        if sqlite:
            raw.execute("PRAGMA busy_timeout=1000")
        try:
            with connection.begin():
                if not sqlite:
                    connection.exec_driver_sql("SET LOCAL lock_timeout = '1s'")
                connection.execute(
                    update(Repo).where(Repo.slug == "octo/app").values(updated=Repo.updated + 1)
                )
        finally:
            if sqlite:
                raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")


def _planning_leaves_the_writer_free(api: Api, start: Callable[[], Any]) -> None:
    """While the build is planned, another connection writes the repository's row: it must
    not wait for a lock (before, planning ran inside the transaction that had locked it)."""
    written: list[int] = []

    def write(n: int) -> None:
        _write_repo_row(api)
        written.append(n)

    with pytest.MonkeyPatch.context() as patch:
        _wrap(patch, "plan_build", write)
        answer = start()
    assert answer.status_code in (200, 201), answer.text
    assert written == [1]


def test_planning_a_webhook_holds_no_lock(api: Api, tmp_path: Path) -> None:
    project = make_project(api, tmp_path)
    _planning_leaves_the_writer_free(api, lambda: project.push_hook(delivery="w1"))
    assert _numbers(api) == [1]


def test_planning_an_api_build_holds_no_lock(api: Api, tmp_path: Path) -> None:
    project = make_project(api, tmp_path)
    _planning_leaves_the_writer_free(api, project.build)
    assert _numbers(api) == [1]
