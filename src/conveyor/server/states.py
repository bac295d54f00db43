"""Drone's status words for builds, stages and steps, and which of them are finished."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """A build's, stage's or step's state, spelled as Drone spells it."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCESS = "success"
    FAILURE = "failure"
    KILLED = "killed"
    ERROR = "error"
    SKIPPED = "skipped"
    BLOCKED = "blocked"
    DECLINED = "declined"
    WAITING = "waiting_on_dependencies"


DONE = frozenset(
    {Status.SUCCESS, Status.FAILURE, Status.KILLED, Status.ERROR, Status.SKIPPED, Status.DECLINED}
)
"""States a build, stage or step never leaves."""
