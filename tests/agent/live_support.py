"""A server with an RPC secret (in this process, real HTTP), a real `conveyor agent` process and
a git repository to build, for the agent's end-to-end tests."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import requests

from tests.server.conftest import ADMIN_TOKEN, RPC_SECRET
from tests.server.git_support import GitRepo

SLUG = "acme/widgets"
COUNTER = """\
kind: pipeline
type: docker
name: default
steps:
- name: count
  image: {image}
  commands:
  - for i in $(seq 1 {lines}); do echo "line $i"; sleep 0.1; done
"""
"""A step that prints `line 1` to `line N`, one every 100 ms."""
FINAL = {"success", "failure", "killed", "error", "skipped", "declined"}


@dataclass(frozen=True)
class Site:
    """The server's URL, an admin session and the repository it builds."""

    base: str
    http: requests.Session
    repo: GitRepo

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        """`/api{path}` as the admin; the JSON answer (the status must be 2xx)."""
        answer = self.http.request(method, f"{self.base}/api{path}", timeout=60, **kwargs)
        assert answer.ok, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json() if answer.content else None

    def use(self, pipeline: str) -> None:
        """Commit and push `pipeline` as the repository's .drone.yml."""
        self.repo.commit({".drone.yml": pipeline})
        self.repo.push("main")

    def build(self) -> int:
        """Start a build of main; its number."""
        return int(self.api("POST", f"/repos/{SLUG}/builds", params={"branch": "main"})["number"])

    def wait(self, number: int, done: Any, timeout: float = 180.0) -> dict[str, Any]:
        """Poll build `number` until `done(build)` is true; the build."""
        deadline = time.monotonic() + timeout
        while True:
            build: dict[str, Any] = self.api("GET", f"/repos/{SLUG}/builds/{number}")
            if done(build):
                return build
            assert time.monotonic() < deadline, f"build {number} stuck: {build}"
            time.sleep(0.1)

    def finished(self, number: int) -> dict[str, Any]:
        """Wait until build `number` is over; the build."""
        return self.wait(number, lambda build: build["status"] in FINAL)

    def log(self, number: int, stage: int, step: int) -> str:
        """The stored log of one step, as text."""
        answer = self.http.get(
            f"{self.base}/api/repos/{SLUG}/builds/{number}/logs/{stage}/{step}",
            params={"format": "text"},
            timeout=60,
        )
        assert answer.ok, answer.text
        return answer.text


def admin_session() -> requests.Session:
    """A session with the admin's token and no proxy."""
    http = requests.Session()
    http.trust_env = False
    http.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
    return http


@contextmanager
def agent_process(
    base: str, state: Path, log: Path, *args: str, secret: str = RPC_SECRET
) -> Iterator[subprocess.Popen[bytes]]:
    """`conveyor agent --server BASE ARGS` with its own state directory; SIGTERM at the end."""
    env = {**os.environ, "CONVEYOR_RPC_SECRET": secret, "CONVEYOR_STATE_DIR": str(state)}
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "conveyor.cli.main", "agent", "--server", base, *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class DoneWatch:
    """The server's ASGI app, wrapped: as each `done` report arrives, before the server reads
    it, the `conveyor.pid` labels of the run networks that exist on the engine are noted."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[list[str]] = []
        """One list per `done` report: the owner pid of each run network then."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].endswith("/done"):
            self.seen.append(await asyncio.to_thread(_network_owners))
        await self.app(scope, receive, send)


def _network_owners() -> list[str]:
    client = docker.from_env()
    try:
        networks = client.networks.list(filters={"label": "conveyor.run"})
        labels = [network.attrs.get("Labels") or {} for network in networks]
        return [str(label.get("conveyor.pid")) for label in labels]
    finally:
        client.close()
