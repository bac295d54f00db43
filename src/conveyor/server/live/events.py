"""What the server publishes to live readers: a build's change (the Repo JSON with its build,
as Drone's /api/stream), a step's new log lines and pull progress. Built inside the
transaction, published after it commits."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from conveyor.server.api.render import build_json, repo_json
from conveyor.server.live.hub import BUILDS, ENDED, LINES, Hub
from conveyor.server.logstore import Chunk
from conveyor.server.store.models import Build, Repo


def step_topic(step_id: int) -> Hashable:
    """The topic of one step's lines and pull progress."""
    return ("step", step_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildEvent:
    """A build's state for /api/stream, ready to publish."""

    repo_id: int
    data: dict[str, Any] = field(repr=False)


def build_event(session: Session, build_id: int) -> BuildEvent | None:
    """The Repo JSON with its build, or None when the build is gone."""
    build = session.get(Build, build_id)
    repo = None if build is None else session.get(Repo, build.repo_id)
    if build is None or repo is None:
        return None
    return BuildEvent(repo_id=repo.id, data={**repo_json(repo), "build": build_json(build)})


def publish_builds(hub: Hub, events: Iterable[BuildEvent | None]) -> None:
    """Publish build events (after their transaction committed)."""
    for event in events:
        if event is not None:
            hub.publish(BUILDS, "message", event.data, repo_id=event.repo_id)


def publish_lines(hub: Hub, lines: dict[int, list[Chunk]]) -> None:
    """Publish new log lines: one `lines` event per step (its chunks, in order), its id the
    last line's position."""
    for step_id, chunks in lines.items():
        if chunks:
            weight = sum(len(chunk) for chunk in chunks)
            hub.publish(step_topic(step_id), LINES, chunks, id=chunks[-1].last, weight=weight)


def publish_ended(hub: Hub, step_ids: Iterable[int]) -> None:
    """Tell the steps' live readers they ended (after the transaction committed): their
    streams look at the stored log once more and send `eof` without waiting for a check."""
    for step_id in step_ids:
        hub.publish(step_topic(step_id), ENDED, None)
