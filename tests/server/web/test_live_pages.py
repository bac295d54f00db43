"""The pages' live streams over real HTTP (uvicorn on 127.0.0.1), signed in with the session
cookie: a step's lines arrive as rendered HTML, resume after Last-Event-ID or `?after=`, pull
progress as HTML, `eof` at the end; build events only for builds the user may read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ..live import serve_app, sse_events
from .builds_seed import finish, lines, project, started
from .conftest import Browser

STEP = "/web/stream/octo/app/1/1/2"


@pytest.fixture
def url(browser: Browser) -> Iterator[str]:
    with serve_app(browser.client.app) as base:
        yield base


def _cookie(browser: Browser) -> dict[str, str]:
    browser.sign_in()
    return {"Cookie": f"conveyor_session={browser.client.cookies.get('conveyor_session')}"}


def _events(response: httpx.Response) -> Iterator[dict[str, Any]]:
    return sse_events(response, json_data=False)  # the data is HTML


def test_lines_arrive_rendered_then_eof(browser: Browser, tmp_path: Path, url: str) -> None:
    cookie = _cookie(browser)
    agent, sid = started(browser, tmp_path)
    lines(agent, sid, ["\x1b[33mfirst\x1b[0m\n"])
    with httpx.stream("GET", url + STEP, headers=cookie, timeout=30) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _events(response)
        first = next(events)
        assert (first["event"], first["id"]) == ("line", "0")
        assert first["data"] == (
            '<div class="line" id="L2-0"><a class="n" href="#L2-0">1</a>'
            '<span class="t"><span class="f3">first</span></span></div>'
        )
        lines(agent, sid, ["<second>\n"], first=1)
        second = next(events)
        assert second["id"] == "1"
        assert "&lt;second&gt;" in second["data"]
        pull = {
            "step": 2,
            "type": "pull",
            "image": "ci-test/busybox:1",
            "layer": "abc",
            "status": "Downloading",
            "current": 500_000,
            "total": 2_000_000,
        }
        assert agent.post(sid, "events", events=[pull]).status_code == 200
        progress = next(events)
        assert progress["event"] == "pull"
        assert progress["data"].startswith('<li id="pull-2-')
        assert "ci-test/busybox:1 abc: Downloading 0.5 MB of 2.0 MB" in progress["data"]
        finish(agent, sid)
        assert next(events)["event"] == "eof"


def test_resume_after_last_event_id_or_after(browser: Browser, tmp_path: Path, url: str) -> None:
    cookie = _cookie(browser)
    agent, sid = started(browser, tmp_path)
    lines(agent, sid, [f"line {n}\n" for n in range(5)])
    finish(agent, sid)
    with httpx.stream(
        "GET", url + STEP, headers={**cookie, "Last-Event-ID": "2"}, timeout=30
    ) as response:
        ids = [event.get("id") for event in _events(response)]
    assert ids == ["3", "4", None]
    with httpx.stream("GET", url + STEP + "?after=3", headers=cookie, timeout=30) as response:
        ids = [event.get("id") for event in _events(response)]
    assert ids == ["4", None]


def test_streams_need_the_session(browser: Browser, tmp_path: Path, url: str) -> None:
    project(browser, tmp_path)
    for path in (STEP, "/web/stream/builds"):
        answer = httpx.get(url + path, timeout=30)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/login?next=")
    browser.add_user("eve", "eve-password-1")
    browser.sign_in("eve", "eve-password-1")
    eve = {"Cookie": f"conveyor_session={browser.client.cookies.get('conveyor_session')}"}
    assert httpx.get(url + STEP, headers=eve, timeout=30).status_code == 404
    denied = httpx.get(url + "/web/stream/builds?repo=octo/app", headers=eve, timeout=30)
    assert denied.status_code == 404


def test_build_events_for_the_page(browser: Browser, tmp_path: Path, url: str) -> None:
    cookie = _cookie(browser)
    proj = project(browser, tmp_path)
    query = "?repo=octo/app&number=2"
    with httpx.stream("GET", url + "/web/stream/builds" + query, headers=cookie, timeout=30) as r:
        events = _events(r)
        assert next(events)["event"] == "hello"
        assert proj.build().status_code == 201  # build 1: another build, not shown
        assert proj.build().status_code == 201
        event = next(events)
    assert event["event"] == "build"
    assert json.loads(event["data"]) == {"repo": "octo/app", "number": 2}
