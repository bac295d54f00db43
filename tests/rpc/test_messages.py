"""The protocol's messages survive to_data/from_data unchanged, and bad data is refused by key."""

from __future__ import annotations

import json

import pytest

from conveyor.rpc import PROTOCOL, version_refusal
from conveyor.rpc.agent import AgentInfo, Platform, StageRequest
from conveyor.rpc.assignment import Assignment, BuildRef, CloneOptions, RepoRef, StepRef
from conveyor.rpc.fields import ProtocolError
from conveyor.rpc.reports import (
    DoneReport,
    EventBatch,
    Heartbeat,
    HeartbeatReply,
    LogBatch,
    LogChunk,
    PullEvent,
    StageEnd,
    StepsReport,
    StepState,
    StepStatus,
)

AGENT = AgentInfo(
    name="a1",
    platform=Platform(os="linux", arch="amd64"),
    labels={"gpu": "yes"},
    capacity=4,
    running=(3, 9),
    version="0.1.0",
)
ASSIGNMENT = Assignment(
    stage_id=7,
    build_id=2,
    repo=RepoRef(slug="o/n", git_http_url="http://127.0.0.1/o/n.git"),
    build=BuildRef(number=5, event="push", commit="abc", branch="main", trusted=True),
    stage=StepRef(number=1, name="default"),
    steps=(StepRef(number=1, name="clone"), StepRef(number=2, name="test")),
    clone=CloneOptions(depth=50),
    lease_seconds=30.0,
    job={"plan": {"name": "default"}, "secrets": {"token": "s3cret"}},
)


def _json(data: dict[str, object]) -> object:
    return json.loads(json.dumps(data))


def test_every_message_round_trips_through_json() -> None:
    state = StepState(number=2, status=StepStatus.FAILURE, started=10, finished=12, exit_code=1)
    pull = PullEvent(step=2, image="alpine", layer="l1", status="Downloading", current=1, total=9)
    request = StageRequest(agent=AGENT, types=("docker",), wait=5.0)
    assert StageRequest.from_data(_json(request.to_data())) == request
    assert Assignment.from_data(_json(ASSIGNMENT.to_data())) == ASSIGNMENT
    assert Heartbeat.from_data(_json(Heartbeat(agent="a1").to_data())) == Heartbeat(agent="a1")
    reply = HeartbeatReply(cancel=True, lease_seconds=30.0)
    assert HeartbeatReply.from_data(_json(reply.to_data())) == reply
    steps = StepsReport(agent="a1", steps=(state,))
    assert StepsReport.from_data(_json(steps.to_data())) == steps
    logs = LogBatch(agent="a1", chunks=(LogChunk(step=2, pos=0, lines=["hi\n", "ho\n"], time=1),))
    assert LogBatch.from_data(_json(logs.to_data())) == logs
    events = EventBatch(agent="a1", events=(pull,))
    assert EventBatch.from_data(_json(events.to_data())) == events
    done = DoneReport(agent="a1", status=StageEnd.FAILURE, error="step test failed", steps=(state,))
    assert DoneReport.from_data(_json(done.to_data())) == done


def test_defaults_fill_what_an_agent_leaves_out() -> None:
    request = StageRequest.from_data({"agent": {"name": "a1"}})
    assert request.types == ("docker",)
    assert request.agent.capacity == 2
    assert request.agent.platform == Platform()
    assert request.agent.labels == {}


def test_the_job_is_kept_out_of_the_repr() -> None:
    assert "s3cret" not in repr(ASSIGNMENT)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "request must be a JSON object."),
        ({}, "request lacks the key 'agent'."),
        ({"agent": {"name": "a"}, "extra": 1}, "request has an unknown key 'extra'."),
        ({"agent": {"name": " "}}, "request.agent.name must not be empty."),
        ({"agent": {"name": "a", "capacity": "2"}}, "request.agent.capacity must be a whole"),
        ({"agent": {"name": "a", "capacity": 0}}, "request.agent.capacity must be at least 1."),
        ({"agent": {"name": "a", "capacity": True}}, "request.agent.capacity must be a whole"),
        ({"agent": {"name": "a", "labels": {"k": 1}}}, "request.agent.labels.k must be a string"),
        ({"agent": {"name": "a", "running": ["x"]}}, "request.agent.running[0] must be a whole"),
        ({"agent": {"name": "a"}, "types": "docker"}, "request.types must be a list."),
        ({"agent": {"name": "a"}, "wait": -1}, "request.wait must not be negative."),
    ],
)
def test_a_bad_stage_request_is_refused_by_key(data: object, message: str) -> None:
    with pytest.raises(ProtocolError, match="^" + message.replace("[", r"\[").replace(".", r"\.")):
        StageRequest.from_data(data)


def test_bad_reports_are_refused_by_key() -> None:
    with pytest.raises(ProtocolError, match=r"steps\.steps\[0\]\.status must be one of pending"):
        StepsReport.from_data({"agent": "a", "steps": [{"number": 1, "status": "done"}]})
    with pytest.raises(ProtocolError, match=r"logs\.chunks\[0\]\.pos must not be negative"):
        LogBatch.from_data({"agent": "a", "chunks": [{"step": 1, "pos": -1, "lines": []}]})
    with pytest.raises(ProtocolError, match=r"done\.status must be one of success"):
        DoneReport.from_data({"agent": "a", "status": "running"})
    with pytest.raises(ProtocolError, match=r"heartbeat lacks the key 'agent'"):
        Heartbeat.from_data({})
    with pytest.raises(ProtocolError, match=r"events\.events\[0\]\.type must be 'pull'"):
        EventBatch.from_data({"agent": "a", "events": [{"step": 1, "type": "x", "image": "i"}]})
    with pytest.raises(ProtocolError, match=r"stage\.job must be a JSON object"):
        Assignment.from_data({**ASSIGNMENT.to_data(), "job": []})
    with pytest.raises(ProtocolError, match=r"stage\.clone\.depth must not be negative"):
        Assignment.from_data({**ASSIGNMENT.to_data(), "clone": {"depth": -1}})


def test_the_version_refusal_names_both_numbers() -> None:
    text = version_refusal("2")
    assert f"agent speaks protocol 2, server speaks {PROTOCOL}" in text
    assert "upgrade the agent" in text


def test_log_chunks_are_checked_by_key() -> None:
    plain = {"step": 2, "pos": 3, "time": 1, "lines": ["hi\n", ""]}
    batch = LogBatch.from_data(
        {"agent": "a", "chunks": [plain, {"step": 1, "pos": 0, "lines": []}]}
    )
    assert batch.chunks == (
        LogChunk(step=2, pos=3, lines=["hi\n", ""], time=1),
        LogChunk(step=1, pos=0, lines=[], time=0),
    )
    odd = {
        "pos": {**plain, "pos": True},
        "time": {**plain, "time": "1"},
        "extra": {**plain, "extra": 1},
        "lines": {**plain, "lines": "hi"},
        r"lines\[1\] must be a string": {**plain, "lines": ["a", 1]},
        "": [plain],
    }
    for key, bad in odd.items():
        with pytest.raises(
            ProtocolError, match=r"^logs\.chunks\[1\]" + (r".*" + key if key else "")
        ):
            LogBatch.from_data({"agent": "a", "chunks": [plain, bad]})
    with pytest.raises(ProtocolError, match=r"^logs\.chunks\[0\]\.time must not be negative"):
        LogBatch.from_data({"agent": "a", "chunks": [{**plain, "time": -1}]})


def test_a_log_batch_written_directly_is_the_json_of_its_data() -> None:
    chunks = (
        LogChunk(step=1, pos=0, lines=['say "hi" \\ \x1b[1mbold\x1b[0m\ttab\r\n'], time=0),
        LogChunk(step=2, pos=12345, lines=["é 中文 🚀 \u2028\n", ""], time=1234),
    )
    batch = LogBatch(agent='agent "one"', chunks=chunks)
    assert json.loads(batch.to_json()) == batch.to_data()
    assert LogBatch.from_data(json.loads(batch.to_json())) == batch
    assert batch.to_json().isascii()
