"""Live streams over real HTTP (uvicorn on 127.0.0.1): a finished step's log replayed then
`eof`, resume after Last-Event-ID, lines arriving live, pull progress, and build events shown
only to callers who may read the repository."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conveyor.server.live import sse as sse_module
from conveyor.server.live.hub import BACKLOG, LINES, Event, Hub, Subscription
from conveyor.server.live.sse import PAGE, line_events, sse
from conveyor.server.logstore import Chunk, Line, from_lines

from .builds_support import make_project
from .conftest import Api
from .live import serve_app, sse_events
from .rpc_support import PIPELINE, Agent

STEP = "/api/stream/octo/app/1/1/2"


@pytest.fixture
def url(rpc_api: Api) -> Iterator[str]:
    with serve_app(rpc_api.app) as base:
        yield base


_events = sse_events


def _lines(agent: Agent, sid: int, positions: range) -> None:
    lines = [{"step": 2, "pos": p, "out": f"line {p}\n"} for p in positions]
    assert agent.logs(sid, lines).status_code == 200


def _claimed(api: Api, tmp_path: Path) -> tuple[Agent, int]:
    """A build of PIPELINE whose stage agent `a1` claimed: the agent and the stage id."""
    make_project(api, tmp_path, PIPELINE).build()
    agent = Agent(api.client, "a1")
    return agent, agent.claim()["stage_id"]


def _finished_step(api: Api, tmp_path: Path) -> None:
    agent, sid = _claimed(api, tmp_path)
    _lines(agent, sid, range(5))
    assert agent.post(sid, "done", status="success").status_code == 200


def test_a_finished_step_is_replayed_and_ends_with_eof(
    rpc_api: Api, tmp_path: Path, url: str
) -> None:
    _finished_step(rpc_api, tmp_path)
    with httpx.stream("GET", url + STEP, headers=rpc_api.admin, timeout=30) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["x-accel-buffering"] == "no"
        events = list(_events(response))
    assert [e.get("id") for e in events] == ["0", "1", "2", "3", "4", None]
    assert events[0]["data"] == {"pos": 0, "out": "line 0\n", "time": 0}
    assert events[-1]["event"] == "eof"


def test_last_event_id_resumes_after_that_line(rpc_api: Api, tmp_path: Path, url: str) -> None:
    _finished_step(rpc_api, tmp_path)
    token = rpc_api.admin["Authorization"].split()[1]
    with httpx.stream(
        "GET", f"{url}{STEP}?access_token={token}", headers={"Last-Event-ID": "2"}, timeout=30
    ) as response:
        events = list(_events(response))
    assert [e.get("id") for e in events] == ["3", "4", None]


@pytest.mark.parametrize("last", ["\u00b2", "9" * 30, "x"])
def test_a_malformed_last_event_id_starts_over(
    rpc_api: Api, tmp_path: Path, url: str, last: str
) -> None:
    _finished_step(rpc_api, tmp_path)
    headers = {key.encode(): value.encode() for key, value in rpc_api.admin.items()}
    headers[b"Last-Event-ID"] = last.encode("latin-1")  # not ASCII: as a client may send
    with httpx.stream("GET", url + STEP, headers=headers, timeout=30) as response:
        assert response.status_code == 200
        events = list(_events(response))
    assert [e.get("id") for e in events] == ["0", "1", "2", "3", "4", None]


def test_lines_arrive_live_then_eof(rpc_api: Api, tmp_path: Path, url: str) -> None:
    agent, sid = _claimed(rpc_api, tmp_path)
    _lines(agent, sid, range(2))
    with httpx.stream("GET", url + STEP, headers=rpc_api.admin, timeout=30) as response:
        events = _events(response)
        assert [next(events)["id"], next(events)["id"]] == ["0", "1"]
        _lines(agent, sid, range(1, 4))  # line 1 again: stored and shown once
        assert next(events)["id"] == "2"
        assert next(events)["id"] == "3"
        pull = {"step": 2, "type": "pull", "image": "ci-test/busybox:1", "status": "Downloading"}
        assert agent.post(sid, "events", events=[pull]).status_code == 200
        progress = next(events)
        assert progress["event"] == "pull"
        assert progress["data"]["image"] == "ci-test/busybox:1"
        assert agent.post(sid, "done", status="success").status_code == 200
        assert next(events)["event"] == "eof"


@pytest.mark.parametrize("how", ["steps", "done"])
def test_eof_follows_the_end_of_the_step_without_waiting_for_a_check(
    rpc_api: Api, tmp_path: Path, url: str, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sse_module, "CHECK", 600.0)  # only the end's own event can wake it
    agent, sid = _claimed(rpc_api, tmp_path)
    _lines(agent, sid, range(1))
    with httpx.stream("GET", url + STEP, headers=rpc_api.admin, timeout=60) as response:
        events = _events(response)
        assert next(events)["id"] == "0"
        end = [{"number": 2, "status": "success", "started": 1, "finished": 2, "exit_code": 0}]
        if how == "steps":
            assert agent.post(sid, "steps", steps=end).status_code == 200
        else:
            assert agent.post(sid, "done", status="success", steps=end).status_code == 200
        assert next(events)["event"] == "eof"


def test_build_events_reach_only_readers(rpc_api: Api, tmp_path: Path, url: str) -> None:
    project = make_project(rpc_api, tmp_path, PIPELINE)
    stranger = rpc_api.user("stranger")
    public = make_project_public(rpc_api, tmp_path)
    with httpx.stream("GET", url + "/api/stream", headers=stranger, timeout=30) as response:
        assert response.status_code == 200
        events = _events(response)
        assert project.build().status_code == 201  # private octo/app: not shown
        answer = rpc_api.client.post(f"/api/repos/{public}/builds", headers=rpc_api.admin)
        assert answer.status_code == 201, answer.text
        first = next(events)
    assert first["data"]["slug"] == public
    assert first["data"]["build"]["number"] == 1
    assert int(first["id"]) > 0


def make_project_public(api: Api, tmp_path: Path) -> str:
    """A second, public repository with the same pipeline."""
    from .git_support import make_repo

    git = make_repo(tmp_path / "public", {".drone.yml": PIPELINE})
    api.repo("octo/public", git_http_url=git.url, visibility="public")
    return "octo/public"


def test_streams_need_a_token(rpc_api: Api, url: str) -> None:
    assert httpx.get(url + "/api/stream", timeout=30).status_code == 401
    assert httpx.get(url + STEP, timeout=30).status_code == 401


def test_a_late_reader_gets_the_latest_pull_progress(
    rpc_api: Api, tmp_path: Path, url: str
) -> None:
    agent, sid = _claimed(rpc_api, tmp_path)
    layer = {"step": 2, "type": "pull", "image": "ci-test/busybox:1", "layer": "l1"}
    progress = [
        {**layer, "status": "Downloading", "current": 1, "total": 9},
        {**layer, "status": "Pull complete", "current": 9, "total": 9},
    ]
    assert agent.post(sid, "events", events=progress).status_code == 200
    _lines(agent, sid, range(1))
    with httpx.stream("GET", url + STEP, headers=rpc_api.admin, timeout=30) as response:
        events = _events(response)
        first = next(events)
        assert (first["event"], first["data"]["status"]) == ("pull", "Pull complete")
        assert next(events)["id"] == "0"


def test_a_replay_longer_than_a_page_comes_whole_and_in_order(
    rpc_api: Api, tmp_path: Path, url: str
) -> None:
    agent, sid = _claimed(rpc_api, tmp_path)
    count = PAGE * 2 + 7
    _lines(agent, sid, range(count))
    assert agent.post(sid, "done", status="success").status_code == 200
    with httpx.stream("GET", url + STEP, headers=rpc_api.admin, timeout=60) as response:
        events = list(_events(response))
    assert [e.get("id") for e in events] == [*map(str, range(count)), None]
    assert events[-2]["data"]["out"] == f"line {count - 1}\n"


def test_a_reader_behind_by_more_than_the_backlog_is_dropped() -> None:
    async def offer_lines() -> Subscription:
        sub = Hub().subscribe("step")
        sub.offer(Event(name=LINES, id=9, data=[{}] * 10, weight=10))
        assert sub.waiting == 10
        sub.offer(Event(name=LINES, id=BACKLOG, data=[], weight=BACKLOG))
        return sub

    sub = asyncio.run(offer_lines())
    assert sub.dropped
    assert sub.next_nowait() is not None  # what came before stays readable
    assert sub.next_nowait() is None  # then the end


def test_line_events_are_the_bytes_of_one_sse_event_per_line() -> None:
    lines = [
        Line(pos=0, out='plain "quoted" \\ back\n', time=1),
        Line(pos=7, out="\x1b[1mbold\x1b[0m tab\there\r\n", time=2),
        Line(pos=8, out="é ü 中文 🚀 \u2028\n", time=30),
    ]
    expected = b"".join(
        sse("message", {"pos": ln.pos, "out": ln.out, "time": ln.time}, ln.pos) for ln in lines
    )
    assert line_events(from_lines(lines)) == expected
    runs = Chunk(3, ["a\n", "b\n", "c\n"], [(2, 4), (1, 9)])
    assert line_events([runs]) == b"".join(
        sse("message", {"pos": ln.pos, "out": ln.out, "time": ln.time}, ln.pos)
        for ln in runs.lines()
    )
    assert expected.startswith(b'id: 0\ndata: {"pos":0,"out":"plain \\"quoted\\"')
