"""The pages' live streams over real HTTP (uvicorn on 127.0.0.1), signed in with the session
cookie: a step's lines arrive as rendered HTML, resume after Last-Event-ID or `?after=` (with
the colour a line leaves on), pull progress as HTML, `eof` at the end; build events only for
builds the user may read; both streams end with `denied` once the session has ended (signed
out, expired, user deactivated) or the repository may no longer be read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from conveyor.server.store.models import User, WebSession
from conveyor.server.web import stream_watch

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
        assert httpx.get(url + path, timeout=30).status_code == 401  # not a browser page
        page = httpx.get(url + path, headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 303
        assert page.headers["location"].startswith("/login?next=")
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


def test_a_colour_lasts_across_live_lines_and_resumes(
    browser: Browser, tmp_path: Path, url: str
) -> None:
    cookie = _cookie(browser)
    agent, sid = started(browser, tmp_path)
    lines(agent, sid, ["\x1b[1;33mwarning:\n"])
    with httpx.stream("GET", url + STEP, headers=cookie, timeout=30) as response:
        events = _events(response)
        first = next(events)
        assert first["id"] == "0:f3b"  # the resume point carries the style
        lines(agent, sid, ["still yellow\n", "\x1b[0mplain\n"], first=1)
        second, third = next(events), next(events)
    assert (second["id"], third["id"]) == ("1:f3b", "2")
    assert '<span class="t"><span class="f3 ansi-b">still yellow</span></span>' in second["data"]
    assert '<span class="t">plain</span>' in third["data"]
    finish(agent, sid)
    for resume in ({"Last-Event-ID": "0:f3b"}, {}):
        query = "" if resume else "?after=0%3Af3b"
        with httpx.stream(
            "GET", url + STEP + query, headers={**cookie, **resume}, timeout=30
        ) as response:
            again = next(_events(response))
        assert again["data"] == second["data"]


@pytest.mark.parametrize(
    ("resume", "first"),
    [("\u00b2", "0"), ("9" * 30, "0"), ("x:f1", "0"), ("0:<b>", "1"), ("0:f999", "1")],
)
def test_a_malformed_resume_point_is_no_error(
    browser: Browser, tmp_path: Path, url: str, resume: str, first: str
) -> None:
    cookie = _cookie(browser)
    agent, sid = started(browser, tmp_path)
    lines(agent, sid, ["zero\n", "one\n"])
    finish(agent, sid)
    headers = {key.encode(): value.encode() for key, value in cookie.items()}
    headers[b"Last-Event-ID"] = resume.encode("latin-1")  # not ASCII: as a client may send
    with httpx.stream("GET", url + STEP, headers=headers, timeout=30) as response:
        assert response.status_code == 200
        event = next(_events(response))
    assert event["id"] == first
    assert "<span class=" not in event["data"].partition('class="t">')[2]  # the default style


@pytest.fixture
def quick_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Streams look at their session every 0.1 s (instead of every few seconds)."""
    monkeypatch.setattr(stream_watch, "RECHECK", 0.1)


def _names(events: Iterator[dict[str, Any]]) -> list[str]:
    """The names of the remaining events, up to the end of the stream."""
    return [event.get("event", "message") for event in events]


def _expire(browser: Browser) -> None:
    ctx = browser.client.app.state.conveyor  # type: ignore[attr-defined]
    with ctx.tx() as session:
        session.execute(update(WebSession).values(expires=0))


def _deactivate(browser: Browser) -> None:
    ctx = browser.client.app.state.conveyor  # type: ignore[attr-defined]
    with ctx.tx() as session:
        session.execute(update(User).where(User.login == "admin").values(active=False))


@pytest.mark.usefixtures("quick_watch")
@pytest.mark.parametrize("end", ["sign out", "expire", "deactivate"])
def test_a_step_stream_ends_with_its_session(
    browser: Browser, tmp_path: Path, url: str, end: str
) -> None:
    cookie = _cookie(browser)
    agent, sid = started(browser, tmp_path)
    lines(agent, sid, ["one\n"])
    with httpx.stream("GET", url + STEP, headers=cookie, timeout=30) as response:
        events = _events(response)
        assert next(events)["id"] == "0"
        if end == "sign out":
            assert browser.post("/logout", {}).status_code == 303
        elif end == "expire":
            _expire(browser)
        else:
            _deactivate(browser)
        rest = _names(events)
    assert rest[-1] == "denied"
    assert "eof" not in rest  # the step goes on: it did not end
    assert httpx.get(url + STEP, headers=cookie, timeout=30).status_code == 401


@pytest.mark.usefixtures("quick_watch")
def test_streams_end_when_the_repository_may_no_longer_be_read(
    browser: Browser, tmp_path: Path, url: str
) -> None:
    agent, sid = started(browser, tmp_path)
    lines(agent, sid, ["one\n"])
    browser.add_user("rita", "rita-password-1")
    rita = "/api/repos/octo/app/collaborators/rita"
    assert browser.api("PUT", rita, json={"read": True}).status_code == 200
    browser.sign_in("rita", "rita-password-1")
    cookie = {"Cookie": f"conveyor_session={browser.client.cookies.get('conveyor_session')}"}
    builds = "/web/stream/builds?repo=octo/app"
    with (
        httpx.stream("GET", url + STEP, headers=cookie, timeout=30) as step,
        httpx.stream("GET", url + builds, headers=cookie, timeout=30) as page,
    ):
        step_events, page_events = _events(step), _events(page)
        assert next(step_events)["id"] == "0"
        assert next(page_events)["event"] == "hello"
        assert browser.api("DELETE", rita).status_code in {200, 204}
        assert _names(step_events)[-1] == "denied"
        assert _names(page_events)[-1] == "denied"


@pytest.mark.usefixtures("quick_watch")
def test_the_builds_stream_ends_at_sign_out(browser: Browser, tmp_path: Path, url: str) -> None:
    cookie = _cookie(browser)
    project(browser, tmp_path)
    with httpx.stream("GET", url + "/web/stream/builds", headers=cookie, timeout=30) as response:
        events = _events(response)
        assert next(events)["event"] == "hello"
        assert browser.post("/logout", {}).status_code == 303
        assert _names(events)[-1] == "denied"
