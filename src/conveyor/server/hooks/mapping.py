"""Push and pull-request payloads mapped to a `HookEvent` as Drone maps them (`core.Hook`).

Gitea's payloads follow GitHub's shape, so one mapping serves both; each provider module only
chooses the head commit and names its actions. A push of `refs/tags/...` is a `tag` build; a
push that deletes a branch or a tag (an all-zero `after`) is `Ignored`. Pure.
"""

from __future__ import annotations

from conveyor.server.hooks.model import EventKind, HookError, HookEvent, Ignored, wants_skip
from conveyor.server.hooks.payload import Json, flag, number, obj, repo_name, required, text

ZERO_SHA = "0" * 40
TAG_PREFIX = "refs/tags/"
BRANCH_PREFIX = "refs/heads/"


def _login(user: Json, where: str) -> str:
    return text(user, "login", where) or text(user, "username", where)


def push_event(provider: str, delivery: str | None, data: Json, head: Json) -> HookEvent | Ignored:
    """A push (or tag push) webhook; `head` is the pushed head commit ({} when unknown)."""
    repo = repo_name(data)
    ref = required(data, "ref")
    after = text(data, "after")
    if flag(data, "deleted") or not after or after.strip("0") == "":
        return Ignored(reason=f"{ref} was deleted; nothing to build")
    if not ref.startswith((BRANCH_PREFIX, TAG_PREFIX)):
        return Ignored(reason=f"{ref} is neither a branch nor a tag; nothing to build")
    sender = obj(data, "sender")
    pusher = obj(data, "pusher")
    author = obj(head, "author", "head_commit.")
    message = text(head, "message", "head_commit.")
    is_tag = ref.startswith(TAG_PREFIX)
    if is_tag:
        # Drone: the tag's branch is the push's base_ref when the forge knows it.
        name = ref.removeprefix(TAG_PREFIX)
        branch = text(data, "base_ref").removeprefix(BRANCH_PREFIX) or name
    else:
        branch = ref.removeprefix(BRANCH_PREFIX)
    login = text(author, "username", "head_commit.author.") or _login(pusher, "pusher.")
    return HookEvent(
        provider=provider,
        delivery=delivery,
        repo=repo,
        event=EventKind.TAG if is_tag else EventKind.PUSH,
        action="created" if is_tag else None,
        ref=ref,
        before=text(data, "before"),
        after=after,
        source=branch,
        target=branch,
        author=login,
        author_name=text(author, "name", "head_commit.author.")
        or text(pusher, "full_name", "pusher."),
        author_email=text(author, "email", "head_commit.author.")
        or text(pusher, "email", "pusher."),
        author_avatar=text(sender, "avatar_url", "sender."),
        message=message,
        title="",
        link=text(data, "compare_url") or text(data, "compare") or text(head, "url"),
        sender=_login(sender, "sender."),
        skip_ci=False if is_tag else wants_skip(message),
    )


def pull_event(provider: str, delivery: str | None, data: Json, action: str) -> HookEvent:
    """An opened or synchronized pull request; `action` is Drone's word for it."""
    repo = repo_name(data)
    pull = obj(data, "pull_request")
    head = obj(pull, "head", "pull_request.")
    base = obj(pull, "base", "pull_request.")
    user = obj(pull, "user", "pull_request.")
    sender = obj(data, "sender")
    index = number(pull, "number", "pull_request.") or number(data, "number")
    if index is None or index <= 0:
        raise HookError("the webhook has no positive pull_request.number")
    title = text(pull, "title", "pull_request.")
    return HookEvent(
        provider=provider,
        delivery=delivery,
        repo=repo,
        event=EventKind.PULL_REQUEST,
        action=action,
        ref=f"refs/pull/{index}/head",
        before=text(base, "sha", "pull_request.base."),
        after=required(head, "sha", "pull_request.head."),
        source=required(head, "ref", "pull_request.head."),
        target=required(base, "ref", "pull_request.base."),
        author=_login(user, "pull_request.user."),
        author_name=text(user, "full_name", "pull_request.user.")
        or text(user, "name", "pull_request.user."),
        author_email=text(user, "email", "pull_request.user."),
        author_avatar=text(user, "avatar_url", "pull_request.user."),
        message=title,
        title=title,
        link=text(pull, "html_url", "pull_request."),
        sender=_login(sender, "sender."),
        skip_ci=wants_skip(title),
        pull_request=index,
    )
