"""Teardown order and the wait for busy containers, with a scripted engine API (the real
engine's refusal path is tests/runner/test_engine_refusal_docker.py)."""

from __future__ import annotations

import docker.errors

from conveyor.engine.contract import Leftover, ResourceKind
from conveyor.engine.docker.teardown import remove_resources

BUSY = docker.errors.APIError("removal of container c1 is already in progress")
IN_USE = docker.errors.APIError("volume is in use - [c1]")
ACTIVE = docker.errors.APIError("network has active endpoints")


class ScriptedApi:
    """Answers each removal from a queue of errors per ident; then removes (NotFound after)."""

    def __init__(self, script: dict[str, list[Exception]]) -> None:
        self.script = script
        self.calls: list[str] = []
        self.gone: set[str] = set()

    def _remove(self, ident: str) -> None:
        self.calls.append(ident)
        if ident in self.gone:
            raise docker.errors.NotFound(f"no such object {ident}")
        queue = self.script.get(ident, [])
        if queue:
            raise queue.pop(0)
        self.gone.add(ident)

    def remove_container(self, ident: str, *, force: bool, v: bool) -> None:
        assert force
        assert v
        self._remove(ident)

    def remove_network(self, ident: str) -> None:
        self._remove(ident)

    def remove_volume(self, ident: str, *, force: bool) -> None:
        self._remove(ident)


def _left(kind: ResourceKind, ident: str) -> Leftover:
    return Leftover(kind=kind, ident=ident, name=ident, run_id="r", owner_alive=False)


LEFTOVERS = [
    _left(ResourceKind.VOLUME, "v1"),
    _left(ResourceKind.NETWORK, "n1"),
    _left(ResourceKind.CONTAINER, "c1"),
]


def test_containers_then_networks_then_volumes() -> None:
    api = ScriptedApi({})
    assert remove_resources(api, LEFTOVERS, sleep=lambda _: None) == []
    assert api.calls == ["c1", "n1", "v1"]


def test_a_container_still_being_removed_is_waited_for_then_the_rest_goes() -> None:
    api = ScriptedApi({"c1": [BUSY, BUSY, BUSY], "n1": [ACTIVE], "v1": [IN_USE]})
    pauses: list[float] = []
    assert remove_resources(api, LEFTOVERS, sleep=pauses.append) == []
    assert api.gone == {"c1", "n1", "v1"}
    assert len(pauses) == 2  # asked three times in all before the container was gone


def test_what_stays_busy_past_the_wait_is_reported() -> None:
    api = ScriptedApi({"c1": [BUSY] * 1000, "n1": [ACTIVE] * 3, "v1": [IN_USE] * 3})
    failures = remove_resources(api, LEFTOVERS, wait=0.0, sleep=lambda _: None)
    assert [(item.ident, str(exc)) for item, exc in failures] == [
        ("c1", str(BUSY)),
        ("n1", str(ACTIVE)),
        ("v1", str(IN_USE)),
    ]
