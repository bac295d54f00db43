"""Gitea (and Gogs) webhooks: push, tag push and pull_request (opened, synchronized).

Gitea lists the pushed commits newest first and, in recent versions, also sends `head_commit`;
the head is the commit whose id is `after`. Other events (create, delete, issues...) are
`Ignored`: a tag builds from its push, as Drone does. Pure.
"""

from __future__ import annotations

from conveyor.server.hooks.mapping import pull_event, push_event
from conveyor.server.hooks.model import HookEvent, Ignored, Provider
from conveyor.server.hooks.payload import Json, items, obj, text

PULL_ACTIONS = {"opened": "opened", "synchronized": "synchronized", "synchronize": "synchronized"}


def head_commit(data: Json) -> Json:
    """The pushed head commit: `head_commit`, else the listed commit whose id is `after`."""
    head = obj(data, "head_commit")
    if head:
        return head
    commits = items(data, "commits")
    after = text(data, "after")
    for commit in commits:
        if text(commit, "id", "commits[].") == after:
            return commit
    return commits[0] if commits else {}


def parse_event(event: str, data: Json, delivery: str | None) -> HookEvent | Ignored:
    """The build a Gitea event starts, or why it starts none."""
    provider = Provider.GITEA.value
    if event == "push":
        return push_event(provider, delivery, data, head_commit(data))
    if event == "pull_request":
        action = text(data, "action")
        if action not in PULL_ACTIONS:
            return Ignored(reason=f'pull_request action "{action}" does not build')
        return pull_event(provider, delivery, data, PULL_ACTIONS[action])
    return Ignored(reason=f'Gitea event "{event}" does not build')
