"""Webhooks from Gitea and GitHub: the forge (`identify`), signature (`verify`), meaning (`parse`).

`repo_of` reads the repository's name before the signature is checked, so that the server can
find the repository's secret. Pure: no I/O, no clock; the server does the rest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from conveyor.server.hooks import gitea, github
from conveyor.server.hooks.model import HookError, HookEvent, Ignored, Provider
from conveyor.server.hooks.payload import load, repo_name
from conveyor.server.hooks.signature import delivery_id, event_name, identify, sign, verify

__all__ = [
    "HookError",
    "HookEvent",
    "Ignored",
    "Provider",
    "identify",
    "parse",
    "repo_of",
    "sign",
    "verify",
]


def parse(provider: str, headers: Mapping[str, str], body: bytes) -> HookEvent | Ignored:
    """The build a webhook starts, `Ignored` when it starts none; HookError for a bad body."""
    if provider not in (Provider.GITEA, Provider.GITHUB):
        raise HookError(f'"{provider}" is not a known forge; use gitea or github')
    event = event_name(provider, headers)
    delivery = delivery_id(provider, headers)
    if event == "ping":
        return Ignored(reason="ping: the webhook reaches Conveyor")
    if event not in ("push", "pull_request"):
        return Ignored(reason=f'event "{event}" does not build')
    data = load(body)
    if provider == Provider.GITEA:
        return gitea.parse_event(event, data, delivery)
    return github.parse_event(event, data, delivery)


def repo_of(provider: str, body: bytes) -> str | None:
    """`owner/name` (lower-cased) from the payload, or None when absent or malformed."""
    if provider not in (Provider.GITEA, Provider.GITHUB):
        return None
    try:
        return repo_name(load(body))
    except (HookError, json.JSONDecodeError):
        return None
