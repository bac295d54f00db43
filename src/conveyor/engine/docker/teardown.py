"""Remove labelled resources from the Docker engine: containers, then networks, then volumes.

A container that the engine is still starting or already removing (after a start that timed
out, say) holds the network and volumes of its run; instead of leaving them behind, the
removal waits for such containers to be gone, for a bounded time, then tries again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import docker.errors
import requests.exceptions

from conveyor.engine.contract import Leftover, ResourceKind

ORDER = (ResourceKind.CONTAINER, ResourceKind.NETWORK, ResourceKind.VOLUME)
WAIT_SECONDS = 120.0
"""How long to wait for busy containers before giving up and reporting what is left."""
POLL_SECONDS = 0.5

Failure = tuple[Leftover, BaseException]


def remove_resources(
    api: Any,
    leftovers: Sequence[Leftover],
    *,
    wait: float = WAIT_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Failure]:
    """Remove `leftovers`; returns those that could not be removed, with the engine's error."""
    failures = _remove_pass(api, leftovers)
    busy = [item for item, _ in failures if item.kind is ResourceKind.CONTAINER]
    held = any(item.kind is not ResourceKind.CONTAINER for item, _ in failures)
    if not failures or not (busy or held):
        return failures
    containers = [item for item in leftovers if item.kind is ResourceKind.CONTAINER]
    _await_containers_gone(api, containers, wait=wait, sleep=sleep)
    return _remove_pass(api, [item for item, _ in failures])


def _remove_pass(api: Any, leftovers: Sequence[Leftover]) -> list[Failure]:
    removers: dict[ResourceKind, Callable[[str], object]] = {
        ResourceKind.CONTAINER: lambda ident: api.remove_container(ident, force=True, v=True),
        ResourceKind.NETWORK: api.remove_network,
        ResourceKind.VOLUME: lambda ident: api.remove_volume(ident, force=True),
    }
    failures: list[Failure] = []
    for kind in ORDER:
        for item in (left for left in leftovers if left.kind is kind):
            try:
                removers[kind](item.ident)
            except docker.errors.NotFound:
                continue
            except (docker.errors.DockerException, requests.RequestException) as exc:
                failures.append((item, exc))
    return failures


def _await_containers_gone(
    api: Any, containers: Sequence[Leftover], *, wait: float, sleep: Callable[[float], None]
) -> None:
    """Ask again for each container's removal until none is left or `wait` runs out."""
    deadline = time.monotonic() + wait
    pending = list(containers)
    while pending and time.monotonic() < deadline:
        still: list[Leftover] = []
        for item in pending:
            try:
                api.remove_container(item.ident, force=True, v=True)
            except docker.errors.NotFound:
                continue
            except (docker.errors.DockerException, requests.RequestException):
                still.append(item)  # e.g. "removal ... is already in progress"
        pending = still
        if pending:
            sleep(POLL_SECONDS)
