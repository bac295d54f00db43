"""The agents and queue pages with real agents speaking the protocol and a real build: labels,
capacity, running stages with links, last contact, and why each stage waits (on each backend)."""

from __future__ import annotations

import html
from pathlib import Path

from ..builds_support import make_project
from ..rpc_support import PIPELINE, Agent
from .conftest import Browser


def test_agents_and_queue_pages_show_what_the_api_shows(
    any_db_browser: Browser, tmp_path: Path
) -> None:
    browser = any_db_browser
    api = browser.as_api
    gpu = PIPELINE.replace("name: build\n", "name: build\nnode: {gpu: 'yes'}\n", 1)
    make_project(api, tmp_path, gpu).build()
    browser.sign_in()
    queue = html.unescape(browser.client.get("/admin/queue").text)
    assert "no agent is connected" in queue
    assert "waiting for stage build" in queue
    assert Agent(browser.client, "plain", capacity=2).request().status_code == 204
    queue = html.unescape(browser.client.get("/admin/queue").text)
    assert "no agent with its labels or platform (plain: labels gpu=yes)" in queue
    gpu_agent = Agent(browser.client, "gpu-1", labels={"gpu": "yes"}, capacity=1, version="9.9.9")
    gpu_agent.claim()
    agents = browser.client.get("/admin/agents").text
    assert "gpu-1" in agents
    assert "9.9.9" in agents
    assert '<code class="label">gpu=yes</code>' in agents
    assert "1 / 1" in agents
    assert "0 / 2" in agents
    assert '<a href="/octo/app/1">octo/app #1</a> build' in agents
    assert "just now" in agents or "s ago" in agents
    queue = html.unescape(browser.client.get("/admin/queue").text)
    assert "octo/app #1" in queue
    assert "waiting for stage build" in queue
    assert "no agent is connected" not in queue
    assert browser.post("/admin/queue/pause", {}).status_code == 303
    assert "Resume the queue" in browser.client.get("/admin/queue").text
    listed = browser.client.post("/api/repos/octo/app/builds", headers=browser.admin_headers)
    assert listed.status_code == 201
    assert "the queue is paused" in html.unescape(browser.client.get("/admin/queue").text)
