"""The repositories page, a repository's builds and a build's page: what they show, who may
see them and press their buttons, the log rendered on the server with line anchors, the
plain-text download, and a failed intake's diagnostics."""

from __future__ import annotations

import re
from pathlib import Path

from ..builds_support import BROKEN
from ..rpc_support import Agent
from .builds_seed import finish, lines, project, started
from .conftest import Browser


def test_repositories_show_their_last_build(browser: Browser, tmp_path: Path) -> None:
    browser.sign_in()
    empty = browser.client.get("/")
    assert "No repositories yet" in empty.text
    agent, sid = started(browser, tmp_path)
    page = browser.client.get("/")
    assert page.status_code == 200
    assert '<a class="title" href="/octo/app">octo/app</a>' in page.text
    assert 'class="badge s-running"' in page.text
    assert '<a href="/octo/app/1">#1</a>' in page.text
    assert 'sse-connect="/web/stream/builds"' in page.text
    fragment = browser.client.get("/web/fragments/repos")
    assert fragment.text.lstrip().startswith('<ul class="list">')
    assert "<html" not in fragment.text
    finish(agent, sid, "failure")  # the `deploy` stage that depends on it is skipped
    assert 'class="badge s-failure"' in browser.client.get("/web/fragments/repos").text


def test_a_repository_lists_its_builds_with_pages(browser: Browser, tmp_path: Path) -> None:
    browser.sign_in()
    proj = project(browser, tmp_path)
    for _ in range(26):
        assert proj.build().status_code == 201
    first = browser.client.get("/octo/app")
    assert first.status_code == 200
    assert first.text.count('<li id="build-') == 25
    assert 'id="build-26"' in first.text
    assert 'id="build-1"' not in first.text
    assert '<a href="/octo/app?page=2" rel="next">Older builds</a>' in first.text
    assert "custom" in first.text  # the event
    assert "main" in first.text  # the branch
    commit = proj.git.head()
    assert f'<code title="commit {commit}">{commit[:8]}</code>' in first.text
    assert "<time datetime=" in first.text
    second = browser.client.get("/octo/app?page=2")
    assert 'id="build-1"' in second.text
    assert 'rel="prev"' in second.text
    assert 'hx-get="/web/fragments/octo/app/builds"' not in second.text  # only page 1 is live


def test_a_private_repository_is_hidden_from_others(browser: Browser, tmp_path: Path) -> None:
    project(browser, tmp_path)
    browser.add_user("eve", "eve-password-1")
    browser.sign_in("eve", "eve-password-1")
    assert "octo/app" not in browser.client.get("/").text
    for path in ("/octo/app", "/octo/app/1", "/web/fragments/octo/app/builds"):
        answer = browser.client.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"].startswith("text/html")


def test_server_paths_are_never_owners(browser: Browser) -> None:
    browser.sign_in()
    for path in ("/admin/nothing", "/static/x", "/web/x", "/login/x"):
        assert browser.client.get(path).status_code == 404, path


def test_build_page_shows_steps_and_the_rendered_log(browser: Browser, tmp_path: Path) -> None:
    browser.sign_in()
    agent, sid = started(browser, tmp_path)
    lines(agent, sid, ["plain <b>not bold</b>\n", "\x1b[1;31merror\x1b[0m here\n"])
    page = browser.client.get("/octo/app/1")
    assert page.status_code == 200
    text = page.text
    assert "build / test" in text  # the running step is open
    assert '<a href="/octo/app/1/1/2" aria-current="true">' in text
    assert 'class="badge s-running"' in text
    assert '<div class="line" id="L2-0"><a class="n" href="#L2-0">1</a>' in text
    assert "plain &lt;b&gt;not bold&lt;/b&gt;" in text
    assert '<span class="f1 ansi-b">error</span> here' in text
    assert 'data-stream="/web/stream/octo/app/1/1/2" data-chosen>' in text
    assert 'id="log-state" data-after="1">' in text
    assert '<span id="line-count">2 lines</span>' in text
    assert "/static/ansi.css" in text
    clone = browser.client.get("/octo/app/1/1/1")
    assert "build / clone" in clone.text
    assert "data-stream" not in clone.text  # a finished step is not followed
    chosen = browser.client.get("/octo/app/1/1/2").text
    assert 'data-stream="/web/stream/octo/app/1/1/2">' in chosen  # not chosen by the server
    assert browser.client.get("/octo/app/1/1/9").status_code == 404
    assert browser.client.get("/octo/app/2").status_code == 404


def test_download_is_the_plain_text(browser: Browser, tmp_path: Path) -> None:
    browser.sign_in()
    agent, sid = started(browser, tmp_path)
    lines(agent, sid, ["one\n", "\x1b[32mtwo\x1b[0m\n"])
    answer = browser.client.get("/octo/app/1/1/2/log.txt")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.headers["content-disposition"] == 'attachment; filename="1-1-2.log"'
    assert answer.text == "one\n\x1b[32mtwo\x1b[0m\n"
    browser.client.cookies.clear()
    assert browser.client.get("/octo/app/1/1/2/log.txt", follow_redirects=False).status_code == 303


def test_a_big_log_renders_every_line(browser: Browser, tmp_path: Path) -> None:
    browser.sign_in()
    agent, sid = started(browser, tmp_path)
    for first in range(0, 10_000, 2000):
        lines(agent, sid, [f"line {n}\n" for n in range(first, first + 2000)], first)
    page = browser.client.get("/octo/app/1/1/2")
    assert page.status_code == 200
    assert page.text.count('<div class="line"') == 10_000
    assert 'id="L2-9999"' in page.text


def test_buttons_follow_the_permission(browser: Browser, tmp_path: Path) -> None:
    started(browser, tmp_path)
    browser.add_user("rita", "rita-password-1")
    made = browser.api("PUT", "/api/repos/octo/app/collaborators/rita", json={"read": True})
    assert made.status_code == 200, made.text
    browser.sign_in("rita", "rita-password-1")
    page = browser.client.get("/octo/app/1").text
    assert "/octo/app/1/cancel" not in page
    assert "/octo/app/1/restart" not in page
    refused = browser.post("/octo/app/1/cancel", {}, token_from="/octo/app/1")
    assert refused.status_code == 403
    assert "write permission" in refused.text


def test_cancel_and_restart_from_the_page(browser: Browser, tmp_path: Path) -> None:
    browser.sign_in()
    started(browser, tmp_path)
    page = browser.client.get("/octo/app/1").text
    assert 'action="/octo/app/1/cancel"' in page
    cancelled = browser.post("/octo/app/1/cancel", {}, token_from="/octo/app/1")
    assert cancelled.status_code == 303
    assert cancelled.headers["location"] == "/octo/app/1"
    assert "is being cancelled" in browser.client.get("/octo/app/1").text
    build = browser.api("GET", "/api/repos/octo/app/builds/1").json()
    assert build["stages"][0]["status"] == "running"  # the agent is told at its next beat
    again = browser.post("/octo/app/1/cancel", {}, token_from="/octo/app/1")
    assert again.status_code in {303, 409}
    restarted = browser.post("/octo/app/1/restart", {}, token_from="/octo/app/1")
    assert restarted.status_code == 303
    assert restarted.headers["location"] == "/octo/app/2"
    assert "Build #2 started" in browser.client.get("/octo/app/2").text
    forged = browser.client.post("/octo/app/2/cancel", data={"csrf_token": "nope"})
    assert forged.status_code == 403


def test_approve_and_decline_blocked_stages(browser: Browser, tmp_path: Path) -> None:
    browser.sign_in()
    proj = project(browser, tmp_path)
    proj.api.client.patch(
        "/api/repos/octo/app", json={"protected": True}, headers=browser.admin_headers
    )
    assert proj.push_hook(delivery="d1").status_code in {200, 201, 204}
    page = browser.client.get("/octo/app/1").text
    assert 'class="badge s-blocked"' in page
    assert 'action="/octo/app/1/approve/1"' in page
    assert 'action="/octo/app/1/decline/1"' in page
    declined = browser.post("/octo/app/1/decline/1", {}, token_from="/octo/app/1")
    assert declined.status_code == 303
    assert "Stage 1 declined." in browser.client.get("/octo/app/1").text
    again = browser.post("/octo/app/1/approve/1", {}, token_from="/octo/app/1")
    assert again.status_code == 409
    assert "is not blocked" in again.text


def test_a_failed_intake_shows_its_diagnostics(browser: Browser, tmp_path: Path) -> None:
    browser.sign_in()
    proj = project(browser, tmp_path, BROKEN)
    assert proj.build().status_code == 201
    page = browser.client.get("/octo/app/1").text
    assert 'class="badge s-failure"' in page
    assert "Why this build failed" in page
    assert ".drone.yml:6:" in page  # the image line, with its position
    assert "sometimes" in page


def test_a_colour_lasts_into_the_next_stored_lines(browser: Browser, tmp_path: Path) -> None:
    browser.sign_in()
    agent, sid = started(browser, tmp_path)
    lines(agent, sid, ["\x1b[33mwarning: <x>\n", "still yellow\n", "\x1b[1mbold\x1b[0m plain\n"])
    text = browser.client.get("/octo/app/1/1/2").text
    assert '<span class="t"><span class="f3">still yellow</span></span>' in text
    assert '<span class="t"><span class="f3 ansi-b">bold</span> plain</span>' in text
    assert 'id="log-state" data-after="2">' in text  # back to the default style
    lines(agent, sid, ["\x1b[44mblue ground\n"], first=3)
    assert 'id="log-state" data-after="3:g4">' in browser.client.get("/octo/app/1/1/2").text
    assert '<span id="line-count">4 lines</span>' in browser.client.get("/octo/app/1/1/2").text


def _steps(agent: Agent, sid: int, *statuses: str) -> None:
    """Steps 1, 2, ... of the stage are in `statuses` (each finished one took a second)."""
    steps: list[dict[str, object]] = [
        {"number": n, "status": status, "started": 1000} for n, status in enumerate(statuses, 1)
    ]
    for step in steps:
        if step["status"] != "running":
            step.update(finished=1001, exit_code=0)
    assert agent.post(sid, "steps", steps=steps).status_code == 200


def _open_step(browser: Browser) -> str:
    text = browser.client.get("/octo/app/1").text
    found = re.search(r'<h2 id="log-title">([^<]*)</h2>', text)
    assert found, text
    return found.group(1)


THREE = """\
kind: pipeline
type: docker
name: build
steps:
- name: compile
  image: ci-test/busybox:1
  commands: [make]
- name: test
  image: ci-test/busybox:1
  commands: [make test]
"""


def test_the_page_opens_the_step_worth_seeing(browser: Browser, tmp_path: Path) -> None:
    browser.sign_in()
    made = project(browser, tmp_path, THREE).build()
    assert made.status_code == 201, made.text
    assert _open_step(browser) == "build / clone"  # nothing ran yet: the first to run
    agent = Agent(browser.client, "agent-1")
    sid: int = agent.claim()["stage_id"]
    _steps(agent, sid, "success", "running")
    assert _open_step(browser) == "build / compile"  # the running step
    _steps(agent, sid, "success", "success")
    assert _open_step(browser) == "build / test"  # between two steps: the next one
    _steps(agent, sid, "success", "success", "success")
    assert agent.post(sid, "done", status="success").status_code == 200
    assert _open_step(browser) == "build / test"  # a success: the last step


def test_a_finished_build_opens_its_failed_step(browser: Browser, tmp_path: Path) -> None:
    browser.sign_in()
    made = project(browser, tmp_path, THREE).build()
    assert made.status_code == 201, made.text
    agent = Agent(browser.client, "agent-1")
    sid: int = agent.claim()["stage_id"]
    _steps(agent, sid, "success", "failure", "skipped")
    assert agent.post(sid, "done", status="failure").status_code == 200
    assert _open_step(browser) == "build / compile"
