"""Ownership labels and the liveness of a run's owner process."""

from __future__ import annotations

import os
import subprocess

import pytest

from conveyor.engine import labels
from conveyor.engine.labels import current_owner, owner_alive, owner_labels, process_start


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_labels_name_the_run_and_the_owner() -> None:
    owner = current_owner()
    tags = owner_labels("abc", owner)
    assert tags[labels.RUN] == "abc"
    assert tags[labels.PID] == str(os.getpid())
    assert tags[labels.PID_START] == process_start(os.getpid()) != ""
    assert owner_alive(tags)


@pytest.mark.parametrize(
    ("change", "alive"),
    [
        ({}, True),
        ({labels.PID: "dead"}, False),
        ({labels.PID: "not-a-number"}, False),
        ({labels.PID: "0"}, False),
        ({labels.PID_START: "1"}, False),  # same pid, another process (pid reused)
        ({labels.PID_START: ""}, True),
        ({labels.HOST: "elsewhere", labels.PID: "dead"}, True),  # not ours to judge
    ],
)
def test_owner_alive(change: dict[str, str], alive: bool) -> None:
    tags = owner_labels("abc", current_owner())
    tags.update(change)
    if tags[labels.PID] == "dead":
        tags[labels.PID] = str(dead_pid())
    assert owner_alive(tags, host=current_owner().host) is alive


def test_run_ids_are_distinct() -> None:
    assert len({labels.new_run_id() for _ in range(100)}) == 100
