"""Drone's status words for builds, stages and steps, which of them are finished, and what an
unfinished stage or step becomes when it is cut short."""

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


def cut_short(status: str, end: Status) -> Status:
    """What an unfinished stage or step in `status` becomes when it ends with `end` before its
    time (a cancel, its stage's end, a lost agent): `end` if it started (it is running), else
    `skipped`, as Drone does. The runner's schedule gives its steps the same (runner/dag.py)."""
    return end if status == Status.RUNNING else Status.SKIPPED
