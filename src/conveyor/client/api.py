"""The server's routes as functions: repositories, secrets, builds, logs and agents.

Paths and JSON names are Drone's (docs/api.md). Each function returns the decoded JSON; the
`what` of each call names the thing in a 404 message. Pure HTTP: no printing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from conveyor.client.http import ServerClient, segment
from conveyor.errors import UsageError

_PART = re.compile(r"[^/\s]+")


@dataclass(frozen=True, slots=True, kw_only=True)
class Slug:
    """`OWNER/NAME` of a repository."""

    owner: str
    name: str

    def __str__(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def path(self) -> str:
        """`/repos/OWNER/NAME`, each part percent-encoded."""
        return f"/repos/{segment(self.owner)}/{segment(self.name)}"


def parse_slug(text: str) -> Slug:
    """`OWNER/NAME` as a Slug; UsageError for anything else."""
    owner, slash, name = text.partition("/")
    if not slash or not _PART.fullmatch(owner) or not _PART.fullmatch(name):
        raise UsageError(f"{text!r} is not a repository; write it as OWNER/NAME")
    return Slug(owner=owner, name=name)


@dataclass(frozen=True, slots=True, kw_only=True)
class SecretScope:
    """A repository's secrets, or an organisation's (`org` set)."""

    repo: Slug | None = None
    org: str | None = None

    @property
    def path(self) -> str:
        """The secrets collection's path."""
        if self.repo is not None:
            return f"{self.repo.path}/secrets"
        return f"/secrets/{segment(self.org or '')}"

    def __str__(self) -> str:
        return f"repository {self.repo}" if self.repo else f"organisation {self.org}"


def list_repos(client: ServerClient) -> Any:
    """The repositories the caller can see."""
    return client.call("GET", "/user/repos", what="the repository list")


def get_repo(client: ServerClient, slug: Slug) -> Any:
    """One repository."""
    return client.call("GET", slug.path, what=f"repository {slug}")


def add_repo(client: ServerClient, slug: Slug, body: dict[str, Any]) -> Any:
    """Create and activate a repository (`git_http_url`, `default_branch`...)."""
    return client.call("POST", slug.path, what=f"repository {slug}", body=body)


def update_repo(client: ServerClient, slug: Slug, body: dict[str, Any]) -> Any:
    """Change a repository's settings."""
    return client.call("PATCH", slug.path, what=f"repository {slug}", body=body)


def remove_repo(client: ServerClient, slug: Slug) -> Any:
    """Delete a repository."""
    return client.call("DELETE", slug.path, what=f"repository {slug}")


def repo_hook(client: ServerClient, slug: Slug) -> Any:
    """The webhook URL and secret to give the forge."""
    return client.call("GET", f"{slug.path}/hook", what=f"the webhook of repository {slug}")


def list_secrets(client: ServerClient, scope: SecretScope) -> Any:
    """The secrets of a scope (names and flags, never values)."""
    return client.call("GET", scope.path, what=f"the secrets of {scope}")


def get_secret(client: ServerClient, scope: SecretScope, name: str) -> Any:
    """One secret (never its value)."""
    path = f"{scope.path}/{segment(name)}"
    return client.call("GET", path, what=f'secret "{name}" of {scope}')


def add_secret(client: ServerClient, scope: SecretScope, body: dict[str, Any]) -> Any:
    """Create a secret."""
    return client.call("POST", scope.path, what=str(scope), body=body)


def update_secret(client: ServerClient, scope: SecretScope, name: str, body: dict[str, Any]) -> Any:
    """Replace a secret's value or flags."""
    path = f"{scope.path}/{segment(name)}"
    return client.call("PATCH", path, what=f'secret "{name}" of {scope}', body=body)


def remove_secret(client: ServerClient, scope: SecretScope, name: str) -> Any:
    """Delete a secret."""
    path = f"{scope.path}/{segment(name)}"
    return client.call("DELETE", path, what=f'secret "{name}" of {scope}')


def list_builds(client: ServerClient, slug: Slug, params: dict[str, str]) -> Any:
    """A page of builds, newest first (`page`, `per_page`, `branch`)."""
    return client.call("GET", f"{slug.path}/builds", what=f"repository {slug}", params=params)


def create_build(client: ServerClient, slug: Slug, params: dict[str, str]) -> Any:
    """A `custom` build (`branch`, `commit`; other parameters become build parameters)."""
    return client.call("POST", f"{slug.path}/builds", what=f"repository {slug}", params=params)


def _build_path(slug: Slug, number: int) -> str:
    return f"{slug.path}/builds/{number}"


def get_build(client: ServerClient, slug: Slug, number: int) -> Any:
    """One build with its stages and steps."""
    return client.call("GET", _build_path(slug, number), what=f"build {slug}#{number}")


def restart_build(client: ServerClient, slug: Slug, number: int) -> Any:
    """A new build like `number`."""
    return client.call("POST", _build_path(slug, number), what=f"build {slug}#{number}")


def cancel_build(client: ServerClient, slug: Slug, number: int) -> Any:
    """Cancel a build."""
    return client.call("DELETE", _build_path(slug, number), what=f"build {slug}#{number}")


def decide_stage(client: ServerClient, slug: Slug, number: int, stage: int, verb: str) -> Any:
    """`approve` or `decline` a blocked stage."""
    path = f"{_build_path(slug, number)}/{verb}/{stage}"
    return client.call("POST", path, what=f"stage {stage} of build {slug}#{number}")


def step_logs(client: ServerClient, slug: Slug, number: int, stage: int, step: int) -> Any:
    """The lines of one step: `[{"pos", "out", "time"}]`."""
    path = f"{_build_path(slug, number)}/logs/{stage}/{step}"
    return client.call("GET", path, what=f"the logs of step {stage}/{step} of {slug}#{number}")


def list_agents(client: ServerClient) -> Any:
    """The agents the server knows."""
    return client.call("GET", "/agents", what="the agents API")


def list_queue(client: ServerClient) -> Any:
    """The stages waiting for an agent, each with the reason it waits."""
    return client.call("GET", "/queue", what="the queue")


def switch_queue(client: ServerClient, *, pause: bool) -> Any:
    """Pause or resume the queue; `{"paused": bool}`."""
    return client.call("POST", "/queue/pause" if pause else "/queue/resume", what="the queue")
