"""A live server (create_app under a real uvicorn) on each database, and a real git repository."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from conveyor.server.app import create_app
from conveyor.server.settings import Settings
from tests.server.conftest import ADMIN_TOKEN
from tests.server.git_support import GitRepo, make_repo
from tests.server.live import serve_app

PIPELINE = """\
kind: pipeline
name: test
steps:
- name: unit
  image: alpine:3.20
  commands: [echo unit]
  environment:
    TOKEN: {from_secret: api_token}
---
kind: pipeline
name: publish
depends_on: [test]
steps:
- name: push
  image: alpine:3.20
  commands: [echo publish]
trigger:
  branch: [main]
"""


@dataclass(frozen=True)
class Live:
    """A running server, an admin session and a git repository to build."""

    base: str
    http: requests.Session
    repo: GitRepo

    def api(self, method: str, path: str, **kwargs: object) -> requests.Response:
        """A request to `/api{path}` as the admin."""
        return self.http.request(method, f"{self.base}/api{path}", timeout=60, **kwargs)  # type: ignore[arg-type]


def admin_session() -> requests.Session:
    """A session with the admin's token and no proxy."""
    http = requests.Session()
    http.trust_env = False
    http.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
    return http


@pytest.fixture
def live(settings: Settings, tmp_path: Path) -> Iterator[Live]:
    """The server on a fresh database of each backend, and acme/widgets's git repository."""
    repo = make_repo(tmp_path / "git", {".drone.yml": PIPELINE})
    with serve_app(create_app(settings)) as base:
        yield Live(base=base, http=admin_session(), repo=repo)
