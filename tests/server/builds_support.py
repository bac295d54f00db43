"""A repository with a real git remote registered on the test server, for build tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conveyor.server.hooks import sign

from .conftest import Api
from .git_support import GitRepo, make_repo
from .hooks.payloads import encode, gitea_headers, gitea_push, gitea_repo

PIPELINES = """\
kind: pipeline
type: docker
name: build
steps:
- name: test
  image: ci-test/busybox:1
  commands: [echo hi]
  environment:
    TOKEN: {from_secret: token}
image_pull_secrets: [dockerconfig]
---
kind: pipeline
type: docker
name: deploy
depends_on: [build]
trigger:
  branch: [main]
steps:
- name: ship
  image: ci-test/busybox:1
  commands: [echo ship]
"""

BROKEN = """\
kind: pipeline
type: docker
name: build
steps:
- name: test
  image: "UPPER/Case::bad"
  pull: sometimes
  commands: [echo hi]
"""


@dataclass
class Project:
    """octo/app on the server, backed by the git repository `git`."""

    api: Api
    git: GitRepo

    def build(self, **params: str) -> Any:
        """POST .../builds as the admin."""
        return self.api.client.post(
            "/api/repos/octo/app/builds", params=params, headers=self.api.admin
        )

    def hook_secret(self) -> str:
        answer = self.api.client.get("/api/repos/octo/app/hook", headers=self.api.admin)
        secret: str = answer.json()["secret"]
        return secret

    def push_hook(
        self, *, delivery: str, message: str = "change\n", secret: str | None = None
    ) -> Any:
        """A Gitea push webhook for the work tree's HEAD on main, signed with `secret`."""
        body = encode(
            gitea_push(message=message, after=self.git.head(), repository=gitea_repo("octo/app"))
        )
        headers = gitea_headers("push", delivery)
        headers["X-Gitea-Signature"] = sign(
            body, secret if secret is not None else self.hook_secret()
        )
        return self.api.client.post("/hook", content=body, headers=headers)


def make_project(api: Api, root: Path, text: str = PIPELINES, **repo: Any) -> Project:
    git = make_repo(root, {".drone.yml": text})
    api.repo("octo/app", git_http_url=git.url, **repo)
    return Project(api=api, git=git)
