"""The heartbeat turns the server's answers into the run's cancel flag."""

from __future__ import annotations

import io
import threading

from conveyor.agent.client import RpcClient
from conveyor.agent.heartbeat import Heartbeat
from tests.agent.stub_server import stub_server


def _beat(url: str, cancel: threading.Event) -> Heartbeat:
    client = RpcClient(url, "s", retry_for=0.0, sleep=lambda _s: None)
    return Heartbeat(client, 7, "a1", lease_seconds=30, cancel=cancel, err=io.StringIO())


def test_a_cancel_in_the_answer_sets_the_cancel_flag() -> None:
    cancel = threading.Event()
    with stub_server() as (url, script):
        script.answer("/heartbeat", 200, {"cancel": False, "lease_seconds": 30})
        script.answer("/heartbeat", 200, {"cancel": True, "lease_seconds": 30})
        beat = _beat(url, cancel)
        beat.beat()
        assert not cancel.is_set()
        beat.beat()
    assert cancel.is_set()
    assert beat.cancelled
    assert beat.lost is None
    held = {"agent": "a1", "wait": 10.0}  # a third of the 30 s lease, at most 10 s
    assert script.bodies("/stages/7/heartbeat") == [held, held]


def test_a_stage_that_is_not_ours_any_more_is_stopped() -> None:
    cancel = threading.Event()
    with stub_server() as (url, script):
        script.answer("/heartbeat", 409, {"message": "stage 7 is not agent a1's any more"})
        beat = _beat(url, cancel)
        beat.beat()
    assert cancel.is_set()
    assert not beat.cancelled
    assert beat.lost == f"the server at {url} refused: stage 7 is not agent a1's any more"


def test_an_unreachable_server_does_not_stop_the_stage() -> None:
    cancel = threading.Event()
    beat = _beat("http://127.0.0.1:9", cancel)
    beat.beat()
    assert not cancel.is_set()
    assert beat.lost is None
