"""GitHub webhooks: push, tag push and pull_request (opened, synchronize).

GitHub's `head_commit` is the pushed head. `create` events are `Ignored` (a tag builds from its
push, which carries the commit, as Drone does); `ping` is `Ignored`. Pure.
"""

from __future__ import annotations

from conveyor.server.hooks.mapping import pull_event, push_event
from conveyor.server.hooks.model import HookEvent, Ignored, Provider
from conveyor.server.hooks.payload import Json, obj, text

PULL_ACTIONS = {"opened": "opened", "synchronize": "synchronized"}


def parse_event(event: str, data: Json, delivery: str | None) -> HookEvent | Ignored:
    """The build a GitHub event starts, or why it starts none."""
    provider = Provider.GITHUB.value
    if event == "push":
        return push_event(provider, delivery, data, obj(data, "head_commit"))
    if event == "pull_request":
        action = text(data, "action")
        if action not in PULL_ACTIONS:
            return Ignored(reason=f'pull_request action "{action}" does not build')
        return pull_event(provider, delivery, data, PULL_ACTIONS[action])
    return Ignored(reason=f'GitHub event "{event}" does not build')
