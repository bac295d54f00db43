"""Which forge sent a webhook (`identify`) and whether its signature is right (`verify`).

Gitea (and Gogs) sign the body with hex HMAC-SHA256 in `X-Gitea-Signature` (`X-Gogs-Signature`);
GitHub sends `X-Hub-Signature-256: sha256=<hex>`. The comparison is constant-time; an empty
secret or a missing header never verifies. Pure.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from conveyor.server.hooks.model import Provider

_EVENT_HEADERS = (
    ("x-gitea-event", Provider.GITEA),
    ("x-gogs-event", Provider.GITEA),
    ("x-github-event", Provider.GITHUB),
)
"""Gitea also sends X-GitHub-Event, so its own header is looked at first."""


def lowered(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers with lower-case names (a plain dict or Starlette's `Headers`)."""
    return {str(name).lower(): str(value) for name, value in headers.items()}


def identify(headers: Mapping[str, str]) -> str | None:
    """`gitea` or `github` from the event header, or None when no forge is named."""
    names = lowered(headers)
    for header, provider in _EVENT_HEADERS:
        if names.get(header, "").strip():
            return provider.value
    return None


def event_name(provider: str, headers: Mapping[str, str]) -> str:
    """The forge's event name (`push`, `pull_request`, `ping`...), "" when absent."""
    names = lowered(headers)
    if provider == Provider.GITEA:
        return (names.get("x-gitea-event") or names.get("x-gogs-event") or "").strip()
    return names.get("x-github-event", "").strip()


def delivery_id(provider: str, headers: Mapping[str, str]) -> str | None:
    """The forge's delivery id (X-Gitea-Delivery, X-Gogs-Delivery, X-GitHub-Delivery)."""
    names = lowered(headers)
    keys = (
        ("x-gitea-delivery", "x-gogs-delivery")
        if provider == Provider.GITEA
        else ("x-github-delivery",)
    )
    for key in keys:
        value = names.get(key, "").strip()
        if value:
            return value
    return None


def sign(body: bytes, secret: str) -> str:
    """Hex HMAC-SHA256 of `body` with `secret` (what a forge sends, without a prefix)."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(provider: str, headers: Mapping[str, str], body: bytes, secret: str) -> bool:
    """True only when the forge's signature header matches the body and `secret`."""
    if not secret:
        return False
    names = lowered(headers)
    if provider == Provider.GITEA:
        given = (names.get("x-gitea-signature") or names.get("x-gogs-signature") or "").strip()
    elif provider == Provider.GITHUB:
        header = names.get("x-hub-signature-256", "").strip()
        prefix, _, given = header.partition("=")
        if prefix.lower() != "sha256":
            return False
    else:
        return False
    expected = sign(body, secret)
    return hmac.compare_digest(given.lower().encode("ascii", "replace"), expected.encode("ascii"))
