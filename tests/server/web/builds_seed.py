"""Builds for the page tests, made the real way: a git repository with a pipeline, a build
through the API, and an agent (plain HTTP of the agent protocol) that reports steps and lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..builds_support import Project, make_project
from ..rpc_support import PIPELINE, Agent
from .conftest import Browser


def project(browser: Browser, root: Path, text: str = PIPELINE) -> Project:
    """octo/app with the pipeline `text` (default: stages `build`, then `deploy`)."""
    return make_project(browser.as_api, root, text)


def started(browser: Browser, root: Path, text: str = PIPELINE) -> tuple[Agent, int]:
    """Build 1 of octo/app: its stage 1 claimed by an agent, step 2 (`test`; 1 is `clone`)
    running."""
    made = project(browser, root, text).build()
    assert made.status_code == 201, made.text
    agent = Agent(browser.client, "agent-1")
    sid: int = agent.claim()["stage_id"]
    steps = [
        {"number": 1, "status": "success", "started": 1000, "finished": 1002, "exit_code": 0},
        {"number": 2, "status": "running", "started": 1002},
    ]
    assert agent.post(sid, "steps", steps=steps).status_code == 200
    return agent, sid


def lines(agent: Agent, sid: int, texts: list[str], first: int = 0) -> None:
    """Step 2 printed `texts` (positions from `first`)."""
    batch: list[dict[str, Any]] = [
        {"step": 2, "pos": first + i, "out": text} for i, text in enumerate(texts)
    ]
    answer = agent.logs(sid, batch)
    assert answer.status_code == 200, answer.text


def finish(agent: Agent, sid: int, status: str = "success") -> None:
    """Step 2 and the stage end with `status`."""
    end = [{"number": 2, "status": status, "started": 1002, "finished": 1065, "exit_code": 0}]
    assert agent.post(sid, "steps", steps=end).status_code == 200
    assert agent.post(sid, "done", status=status).status_code == 200
