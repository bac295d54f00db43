"""The `BuildInput` of a webhook's `HookEvent`: the branch a build runs for is its target.

Pure. The server adds what the webhook does not carry: the build number, the time, the
repository's trust and pipeline file path.
"""

from __future__ import annotations

from conveyor.server.hooks.model import HookEvent
from conveyor.server.intake.model import BuildInput


def build_input_from_hook(
    event: HookEvent,
    *,
    number: int,
    created: int,
    trusted: bool,
    config_path: str,
    instance: str = "localhost",
) -> BuildInput:
    """What `plan_build` needs to plan the build a webhook starts."""
    return BuildInput(
        repo=event.repo,
        event=event.event,
        branch=event.target,
        ref=event.ref,
        commit=event.after,
        before=event.before,
        source=event.source,
        target=event.target,
        message=event.message,
        author=event.author,
        author_name=event.author_name,
        author_email=event.author_email,
        link=event.link,
        sender=event.sender,
        trusted=trusted,
        number=number,
        created=created,
        config_path=config_path,
        action=event.action or "",
        instance=instance,
    )
