"""What a forge's webhook means for Conveyor: a `HookEvent` to build, or `Ignored` with a reason.

`HookError` is a body that cannot be a webhook (not JSON, a field of the wrong type): the server
answers 400 with its message. Pure data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from conveyor.errors import ConveyorError


class Provider(StrEnum):
    """The forges whose webhooks Conveyor understands."""

    GITEA = "gitea"
    GITHUB = "github"


class EventKind(StrEnum):
    """The build events a webhook can start (Drone's names)."""

    PUSH = "push"
    TAG = "tag"
    PULL_REQUEST = "pull_request"


class HookError(ConveyorError):
    """A webhook body that cannot be read; the message names the field."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Ignored:
    """A valid webhook that starts no build (a ping, a closed pull request, a deleted branch)."""

    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HookEvent:
    """A webhook mapped to a build as Drone maps it (`core.Hook`)."""

    provider: str
    delivery: str | None
    repo: str
    """`owner/name`, lower-cased."""
    event: str
    """`push`, `tag` or `pull_request`."""
    action: str | None
    """`opened` / `synchronized` for pull requests, `created` for tags, None for pushes."""
    ref: str
    before: str
    after: str
    """The commit to build."""
    source: str
    """The branch the commits come from (the pull request's head branch)."""
    target: str
    """The branch built into (the pull request's base branch; the branch of a push)."""
    author: str
    author_name: str
    author_email: str
    author_avatar: str
    message: str
    title: str
    link: str
    sender: str
    skip_ci: bool
    deleted: bool = False
    pull_request: int | None = None
    """The pull request's number, for `pull_request` events."""


SKIP_MARKERS = ("[ci skip]", "[skip ci]", "***no_ci***")


def wants_skip(*texts: str) -> bool:
    """Drone's rule: a skip marker anywhere in the message or title, in any case."""
    lowered = [text.lower() for text in texts]
    return any(marker in text for marker in SKIP_MARKERS for text in lowered)
