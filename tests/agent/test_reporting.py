"""Runner events become step states, numbered log lines and pull events; unacknowledged
batches are sent again."""

from __future__ import annotations

import io
import json
import threading
from typing import Any

import pytest

from conveyor.agent import reporter as reporter_module
from conveyor.agent.client import RpcClient
from conveyor.agent.reporter import MAX_BYTES, MAX_LINES, Reporter
from conveyor.agent.sink import AgentSink
from conveyor.engine.contract import LogStream, PullProgress
from conveyor.plan.model import StepKind
from conveyor.rpc.reports import LogBatch, StepStatus
from conveyor.runner.dag import StepStatus as RunnerStatus
from conveyor.runner.events import (
    LogLines,
    PullProgressed,
    StepFinished,
    StepResult,
    StepStarted,
)
from tests.agent.stub_server import stub_server


def _reporter(url: str, lost: list[str]) -> Reporter:
    client = RpcClient(url, "s", retry_for=0.0, sleep=lambda _s: None)
    return Reporter(client, 7, "a1", on_lost=lost.append, interval=60, err=io.StringIO())


def _run_steps(sink: AgentSink) -> None:
    sink.emit(StepStarted(step="test", image="alpine", kind=StepKind.STEP))
    sink.emit(LogLines(step="test", stream=LogStream.STDOUT, lines=("one", "two")))
    sink.emit(LogLines(step="test", stream=LogStream.STDERR, lines=("three",)))
    progress = PullProgress(layer="l1", status="Downloading", current=5, total=10)
    sink.emit(PullProgressed(step="test", image="alpine", progress=progress))
    result = StepResult(name="test", kind=StepKind.STEP, status=RunnerStatus.FAILURE, exit_code=3)
    sink.emit(StepFinished(result=result))


def test_events_become_reports() -> None:
    with stub_server() as (url, script):
        reporter = _reporter(url, [])
        sink = AgentSink(reporter, {"clone": 1, "test": 2}, notice=print, clock=lambda: 100.0)
        _run_steps(sink)
        reporter.flush()
    (steps,) = script.bodies("/steps")
    assert steps["steps"] == [
        {"number": 2, "status": "failure", "started": 100, "finished": 100, "exit_code": 3,
         "error": ""},
    ]  # fmt: skip
    (logs,) = script.bodies("/logs")
    assert [(line["step"], line["pos"], line["out"]) for line in _lines(logs)] == [
        (2, 0, "one\n"), (2, 1, "two\n"), (2, 2, "three\n"),
    ]  # fmt: skip
    (events,) = script.bodies("/events")
    assert events["events"] == [
        {"step": 2, "type": "pull", "image": "alpine", "layer": "l1", "status": "Downloading",
         "current": 5, "total": 10},
    ]  # fmt: skip
    # the clone step never reported: the server ends it (skipped, as it never started)
    known = sink.known_steps()
    assert [(s.number, s.status) for s in known] == [(2, StepStatus.FAILURE)]


def test_a_batch_the_server_did_not_take_is_sent_again() -> None:
    with stub_server() as (url, script):
        script.answer("/logs", 503, {"message": "down"})
        reporter = _reporter(url, [])
        sink = AgentSink(reporter, {"test": 1}, notice=print)
        sink.lines("test", ("a", "b"))
        reporter.flush()  # refused: kept
        sink.lines("test", ("c",))
        reporter.flush()
    sent = [[(x["pos"], x["out"]) for x in _lines(body)] for body in script.bodies("/logs")]
    assert sent == [[(0, "a\n"), (1, "b\n")], [(0, "a\n"), (1, "b\n"), (2, "c\n")]]


def test_a_lost_stage_is_reported_to_the_owner() -> None:
    lost: list[str] = []
    with stub_server() as (url, script):
        script.answer("/steps", 409, {"message": "stage 7 is not agent a1's"})
        reporter = _reporter(url, lost)
        AgentSink(reporter, {"test": 1}, notice=print).started("test")
        reporter.flush()
    assert lost == [f"the server at {url} refused: stage 7 is not agent a1's"]


def test_many_lines_go_in_requests_of_bounded_size_in_order() -> None:
    long = "x" * (MAX_BYTES // 3)
    with stub_server() as (url, script):
        reporter = _reporter(url, [])
        sink = AgentSink(reporter, {"test": 1}, notice=print)
        sink.lines("test", (long, long, long, long))
        reporter.flush()
        sink.lines("test", ("",) * (MAX_LINES + 1))
        reporter.flush()
    sent = [[line["pos"] for line in _lines(body)] for body in script.bodies("/logs")]
    assert [len(batch) for batch in sent[:2]] == [2, 2]  # 3 long lines are too many
    assert len(sent) == 4
    assert all(len(batch) <= MAX_LINES for batch in sent)
    assert [pos for batch in sent for pos in batch] == list(range(MAX_LINES + 5))
    assert all(len(json.dumps(body)) < 1024 * 1024 for body in script.bodies("/logs"))


def test_a_refused_batch_is_said_and_kept_not_fatal() -> None:
    err = io.StringIO()
    with stub_server() as (url, script):
        script.answer("/logs", 413, {"message": "the request body is over 10 bytes"})
        client = RpcClient(url, "s", retry_for=0.0, sleep=lambda _s: None)
        reporter = Reporter(client, 7, "a1", on_lost=print, interval=60, err=err)
        AgentSink(reporter, {"test": 1}, notice=print).lines("test", ("a",))
        reporter.flush()
        reporter.flush()
    assert "stage 7: the server at" in err.getvalue()
    assert "over 10 bytes" in err.getvalue()
    assert [len(_lines(body)) for body in script.bodies("/logs")] == [1, 1]


def test_a_full_outbox_holds_the_step_until_lines_are_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reporter_module, "MAX_PENDING", 3)
    with stub_server() as (url, script):
        reporter = _reporter(url, [])
        sink = AgentSink(reporter, {"test": 1}, notice=print)
        sink.lines("test", ("a", "b", "c"))
        producer = threading.Thread(target=sink.lines, args=("test", ("d",)))
        producer.start()
        producer.join(0.5)
        assert producer.is_alive()  # three lines wait: the fourth waits for room
        reporter.flush()
        producer.join(30)
        assert not producer.is_alive()
        reporter.flush()
    sent = [[line["out"] for line in _lines(body)] for body in script.bodies("/logs")]
    assert sent == [["a\n", "b\n", "c\n"], ["d\n"]]


def test_a_stopped_stage_never_waits_for_room(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reporter_module, "MAX_PENDING", 1)
    cancel = threading.Event()
    cancel.set()
    client = RpcClient("http://127.0.0.1:9", "s", retry_for=0.0, sleep=lambda _s: None)
    reporter = Reporter(client, 7, "a1", on_lost=print, cancel=cancel, interval=60)
    sink = AgentSink(reporter, {"test": 1}, notice=print)
    sink.lines("test", ("a",))
    sink.lines("test", ("b",))  # returns: nothing is sent, and the stage is stopped


def _lines(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The lines of a log batch, each as `{"step", "pos", "out", "time"}`."""
    return [
        {"step": chunk["step"], "pos": chunk["pos"] + n, "out": out, "time": chunk["time"]}
        for chunk in body["chunks"]
        for n, out in enumerate(chunk["lines"])
    ]


def test_a_steps_end_goes_after_its_lines() -> None:
    with stub_server() as (url, script):
        reporter = _reporter(url, [])
        sink = AgentSink(reporter, {"test": 1}, notice=print, clock=lambda: 100.0)
        script.answer("/logs", 503, {"message": "down"})
        sink.started("test")
        reporter.flush()
        sink.lines("test", ("a", "b"))
        sink.ended("test", StepStatus.SUCCESS, exit_code=0)
        reporter.flush()  # the lines are refused: the end waits for them
        reporter.flush()
    route = [path.rsplit("/", 1)[1] for path, _, _ in script.seen]
    states = [[s["status"] for s in body["steps"]] for body in script.bodies("/steps")]
    assert route == ["steps", "logs", "logs", "steps"]
    assert states == [["running"], ["success"]]


def test_lines_of_the_same_second_travel_as_one_chunk() -> None:
    now = [100.0]
    with stub_server() as (url, script):
        reporter = _reporter(url, [])
        sink = AgentSink(reporter, {"test": 1, "other": 2}, notice=print, clock=lambda: now[0])
        sink.started("test")
        sink.started("other")
        for n in range(1000):
            sink.lines("test", (f"line {n}",))
        sink.lines("other", ("elsewhere",))
        sink.lines("test", ("after the other step",))
        now[0] = 102.5
        sink.lines("test", ("two seconds later",))
        reporter.flush()
    (body,) = script.bodies("/logs")
    assert [(c["step"], c["pos"], len(c["lines"]), c["time"]) for c in body["chunks"]] == [
        (1, 0, 1000, 0),
        (2, 0, 1, 0),
        (1, 1000, 1, 0),
        (1, 1001, 1, 2),
    ]
    assert body["chunks"][0]["lines"][999] == "line 999\n"
    assert LogBatch.from_data(body).chunks[0].lines[:2] == ["line 0\n", "line 1\n"]
