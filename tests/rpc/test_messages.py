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
    LogLine,
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
    logs = LogBatch(agent="a1", lines=(LogLine(step=2, pos=0, out="hi\n", time=0.5),))
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
    with pytest.raises(ProtocolError, match=r"logs\.lines\[0\]\.pos must not be negative"):
        LogBatch.from_data({"agent": "a", "lines": [{"step": 1, "pos": -1, "out": ""}]})
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


def test_log_lines_read_alike_on_the_quick_and_the_careful_path() -> None:
    plain = {"step": 2, "pos": 3, "out": "hi\n", "time": 1}
    batch = LogBatch.from_data({"agent": "a", "lines": [plain, {"step": 1, "pos": 0, "out": ""}]})
    assert batch.lines == (
        LogLine(step=2, pos=3, out="hi\n", time=1.0),
        LogLine(step=1, pos=0, out="", time=0.0),
    )
    odd = [{**plain, "pos": True}, {**plain, "time": "1"}, {**plain, "extra": 1}, [plain]]
    for bad in odd:
        with pytest.raises(ProtocolError, match=r"^logs\.lines\[1\]"):
            LogBatch.from_data({"agent": "a", "lines": [plain, bad]})


def test_a_log_batch_written_directly_is_the_json_of_its_data() -> None:
    lines = (
        LogLine(step=1, pos=0, out='say "hi" \\ \x1b[1mbold\x1b[0m\ttab\r\n', time=0.0),
        LogLine(step=2, pos=12345, out="é 中文 🚀 \u2028\n", time=1234.567),
        LogLine(step=2, pos=12346, out="", time=1e-7),
    )
    batch = LogBatch(agent='agent "one"', lines=lines)
    assert json.loads(batch.to_json()) == batch.to_data()
    assert LogBatch.from_data(json.loads(batch.to_json())) == batch
