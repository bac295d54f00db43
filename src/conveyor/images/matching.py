"""Which registry a config.json key or a plugin address means, and which credentials fit an image.

Pure rules of semantics.md section 4: a key is reduced to a host (scheme, user info and path
stripped, host lower-cased, port kept; every Docker Hub alias is `docker.io`), and candidates
for one host are ordered deterministically: the exact host key first, then source order, then
file order. No I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from conveyor.images.credentials import Credential
from conveyor.images.reference import Reference

DOCKER_HUB = "docker.io"
"""The one name Conveyor uses for Docker Hub in credentials."""
DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
"""Hosts that all mean Docker Hub (`https://index.docker.io/v1/` reduces to index.docker.io)."""
DOCKER_HUB_STORE_KEY = "https://index.docker.io/v1/"
"""The server URL under which Docker's credential stores keep Docker Hub logins."""

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://", re.ASCII)


def registry_host(key: str) -> str:
    """`https://User@GCR.io:443/v2/` -> `gcr.io:443`; Docker Hub aliases -> `docker.io`.

    Returns "" when nothing usable is left (an empty key, a bare scheme).
    """
    text = key.strip()
    scheme = _SCHEME.match(text)
    if scheme:
        text = text[scheme.end() :]
    for stop in "/?#":
        text = text.split(stop, 1)[0]
    text = text.rpartition("@")[2].lower()
    if text.endswith(":"):
        text = text[:-1]
    return DOCKER_HUB if text in DOCKER_HUB_ALIASES else text


def display_key(key: str) -> str:
    """A config key fit for messages: `https://user:pw@gcr.io/v2/` -> `https://gcr.io/v2/`.

    User info may hold a password, so it never reaches a message; the rest is kept as written
    so that the user can find the entry.
    """
    text = key.strip()
    scheme = _SCHEME.match(text)
    start = scheme.end() if scheme else 0
    end = min((i for i in (text.find(c, start) for c in "/?#") if i != -1), default=len(text))
    at = text.rfind("@", start, end)
    return text if at == -1 else text[:start] + text[at + 1 :]


def reference_host(reference: Reference) -> str:
    """The host whose credentials apply to `reference` (lower case; Docker Hub is docker.io)."""
    return registry_host(reference.domain)


def is_exact_key(key: str, host: str) -> bool:
    """True when the config key is the host itself, written without scheme, path or user."""
    return key.strip().lower() == host


def store_server(host: str) -> str:
    """The server name to ask a credential helper for: Docker Hub uses its legacy URL."""
    return DOCKER_HUB_STORE_KEY if host == DOCKER_HUB else host


def order_candidates(credentials: Iterable[Credential], host: str) -> list[Credential]:
    """Credentials for `host`, exact host keys first, otherwise in the given (source, file) order.

    Identical logins (same user, password and token) are kept once, at their first place.
    """
    matching = [c for c in credentials if c.registry == host]
    exact = [c for c in matching if is_exact_key(c.key, host)]
    rest = [c for c in matching if not is_exact_key(c.key, host)]
    seen: set[tuple[str, str, str | None]] = set()
    ordered: list[Credential] = []
    for credential in exact + rest:
        login = (credential.username, credential.password, credential.identity_token)
        if login not in seen:
            seen.add(login)
            ordered.append(credential)
    return ordered
