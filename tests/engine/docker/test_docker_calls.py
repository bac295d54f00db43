"""The Docker backend makes only the engine calls it needs (each costs the CLI CPU time)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import docker
import pytest

from conveyor.engine.contract import RunSpec
from conveyor.engine.docker.backend import DockerEngine, connect
from conveyor.engine.labels import current_owner, new_run_id
from conveyor.plan.model import MountKind, VolumePlan
from tests.conftest import LocalEnv

pytestmark = pytest.mark.docker


class Calls:
    """Records (method, path) of every HTTP request an SDK client sends."""

    def __init__(self, api: Any) -> None:
        self.seen: list[tuple[str, str]] = []
        original: Callable[..., Any] = api.request

        def request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            path = url.split("://", 1)[-1].split("/", 1)[-1]
            self.seen.append((method, "/" + path.split("/", 1)[-1]))
            return original(method, url, *args, **kwargs)

        api.request = request


@pytest.fixture
def engine(testenv: LocalEnv) -> DockerEngine:
    return connect()


def test_connecting_asks_the_engine_once(
    testenv: LocalEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    original = docker.APIClient.request

    def request(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(url)
        return original(self, method, url, *args, **kwargs)

    monkeypatch.setattr(docker.APIClient, "request", request)
    engine = connect()
    assert [url.rsplit("/", 1)[-1] for url in asked] == ["version"]
    assert engine.client.api.trust_env is False  # a Unix socket: no proxy lookups per call


def test_destroy_lists_containers_only_and_removes_everything(engine: DockerEngine) -> None:
    run = RunSpec(
        run_id=new_run_id(),
        owner=current_owner(),
        workspace_path="/drone/src",
        volumes=(VolumePlan(name="cache", kind=MountKind.VOLUME),),
    )
    engine.setup(run)
    calls = Calls(engine.client.api)
    assert engine.destroy(run) == []
    lists = [path for method, path in calls.seen if method == "GET"]
    assert len(lists) == 1
    assert lists[0].startswith("/containers/json")
    assert [item for item in engine.leftovers() if item.run_id == run.run_id] == []
    removed = sorted(path.split("?")[0] for method, path in calls.seen if method == "DELETE")
    assert removed == sorted(
        [
            f"/networks/conveyor-{run.run_id}",
            f"/volumes/conveyor-{run.run_id}-cache",
            f"/volumes/conveyor-{run.run_id}-workspace",
        ]
    )
