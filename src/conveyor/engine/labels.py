"""Ownership labels put on every container, network and volume, and the liveness of owners.

A resource belongs to a run (`conveyor.run`) started by a process (`conveyor.pid`, with its
start time so a reused pid is not mistaken for the owner) on a host (`conveyor.host`). Reads
/proc and the host name only when asked.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Mapping
from pathlib import Path

from conveyor.engine.contract import Owner

RUN = "conveyor.run"
PID = "conveyor.pid"
PID_START = "conveyor.pid-start"
HOST = "conveyor.host"
STEP = "conveyor.step"


def new_run_id() -> str:
    """A short random id; names of a run's resources start with `conveyor-<id>`."""
    return uuid.uuid4().hex[:12]


def process_start(pid: int) -> str:
    """The start time of `pid` in clock ticks since boot (field 22 of /proc/PID/stat), or ""."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
    # The command name (field 2) may hold spaces and parentheses: split after the last ")".
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else ""


def current_owner() -> Owner:
    """This process as the owner of a run."""
    pid = os.getpid()
    return Owner(pid=pid, start=process_start(pid), host=socket.gethostname())


def owner_labels(run_id: str, owner: Owner) -> dict[str, str]:
    """The labels that every resource of run `run_id` carries."""
    return {RUN: run_id, PID: str(owner.pid), PID_START: owner.start, HOST: owner.host}


def owner_alive(labels: Mapping[str, str], *, host: str | None = None) -> bool:
    """Whether the process named by `labels` still runs; owners on other hosts count as alive.

    An unreadable pid counts as dead: the resource was made by Conveyor, and nobody can use it.
    """
    here = socket.gethostname() if host is None else host
    if labels.get(HOST, "") != here:
        return True
    try:
        pid = int(labels.get(PID, ""))
    except ValueError:
        return False
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, owned by another user
    recorded = labels.get(PID_START, "")
    return not recorded or process_start(pid) in ("", recorded)
