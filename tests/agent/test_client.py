"""The protocol client against a scripted stub: headers, answers, retries, refusals."""

from __future__ import annotations

import pytest

from conveyor.agent.client import (
    RpcClient,
    RpcRefusedError,
    ServerUnreachableError,
    StageLostError,
)
from conveyor.rpc import PROTOCOL
from conveyor.rpc.agent import AgentInfo, StageRequest
from conveyor.rpc.reports import LogBatch, LogChunk
from tests.agent.stub_server import stub_server

ASSIGNMENT = {
    "stage_id": 7,
    "build_id": 3,
    "repo": {"slug": "o/r", "git_http_url": "http://127.0.0.1/o/r.git"},
    "build": {"number": 1, "event": "push", "commit": "abc"},
    "stage": {"number": 1, "name": "default"},
    "steps": [{"number": 1, "name": "clone"}, {"number": 2, "name": "test"}],
    "job": {"plan": {}},
}


def _client(url: str, retry_for: float = 5.0) -> RpcClient:
    return RpcClient(url, "the-secret", retry_for=retry_for, sleep=lambda _s: None)


def test_stage_request_sends_secret_protocol_and_agent() -> None:
    with stub_server() as (url, script):
        script.answer("/stages/request", 200, {"stage": ASSIGNMENT})
        request = StageRequest(agent=AgentInfo(name="a1", capacity=3), wait=0.5)
        assignment = _client(url).request_stage(request)
    assert assignment is not None
    assert (assignment.stage_id, [s.name for s in assignment.steps]) == (7, ["clone", "test"])
    path, headers, body = script.seen[0]
    assert path == "/rpc/v1/stages/request"
    assert headers["Authorization"] == "Bearer the-secret"
    assert headers["X-Conveyor-Protocol"] == str(PROTOCOL)
    assert body["agent"]["name"] == "a1"
    assert body["agent"]["capacity"] == 3


def test_no_work_is_none() -> None:
    with stub_server() as (url, _script):
        assert _client(url).request_stage(StageRequest(agent=AgentInfo(name="a"), wait=0)) is None


def test_5xx_is_retried_until_an_answer() -> None:
    with stub_server() as (url, script):
        script.answer("/heartbeat", 503, {"message": "restarting"})
        script.answer("/heartbeat", 502)
        script.answer("/heartbeat", 200, {"cancel": True, "lease_seconds": 30})
        reply = _client(url).heartbeat(7, "a1")
    assert reply.cancel is True
    assert len(script.bodies("/heartbeat")) == 3


def test_4xx_is_not_retried_and_says_the_servers_sentence() -> None:
    with stub_server() as (url, script):
        script.answer("/stages/request", 426, {"message": "agent speaks protocol 2, server 1"})
        with pytest.raises(RpcRefusedError, match="agent speaks protocol 2") as caught:
            _client(url).request_stage(StageRequest(agent=AgentInfo(name="a"), wait=0))
    assert caught.value.status == 426
    assert len(script.seen) == 1
    assert "the-secret" not in str(caught.value)


def test_409_means_the_stage_is_lost() -> None:
    with stub_server() as (url, script):
        script.answer("/logs", 409, {"message": "stage 7 is not agent a1's"})
        batch = LogBatch(agent="a1", chunks=(LogChunk(step=1, pos=0, lines=["x\n"]),))
        with pytest.raises(StageLostError, match="not agent a1's"):
            _client(url).logs(7, batch)


def test_unreachable_server_gives_up_after_the_retry_window() -> None:
    client = RpcClient("http://127.0.0.1:9", "s", retry_for=0.0, sleep=lambda _s: None)
    with pytest.raises(
        ServerUnreachableError,
        match=r"cannot reach the server at http://127.0.0.1:9 \(ConnectionError\)\.$",
    ):
        client.heartbeat(1, "a")
