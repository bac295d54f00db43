"""Where the server is and which token to send: flags, then CONVEYOR_*, then Drone's DRONE_*.

Only `resolve_connection` reads the environment, and only when called. The token is never part
of a message or a repr.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from conveyor.errors import UsageError

SERVER_VARIABLES = ("CONVEYOR_SERVER", "DRONE_SERVER")
TOKEN_VARIABLES = ("CONVEYOR_TOKEN", "DRONE_TOKEN")


@dataclass(frozen=True, slots=True, kw_only=True)
class Connection:
    """The server's base URL (no trailing slash) and the bearer token."""

    server: str
    token: str = field(repr=False)


def _first(environ: Mapping[str, str], names: tuple[str, ...]) -> str:
    for name in names:
        value = environ.get(name, "").strip()
        if value:
            return value
    return ""


def resolve_connection(
    server: str | None, token: str | None, environ: Mapping[str, str]
) -> Connection:
    """The connection from flags or the environment; UsageError saying what is missing."""
    url = (server or _first(environ, SERVER_VARIABLES)).strip().rstrip("/")
    secret = (token or _first(environ, TOKEN_VARIABLES)).strip()
    if not url:
        raise UsageError("no server given; pass --server URL or set CONVEYOR_SERVER")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"the server URL {url!r} must start with http:// or https:// and name a host"
        )
    if parts.username or parts.password:
        raise UsageError("the server URL must not hold a user or password; use --token")
    if not secret:
        raise UsageError("no token given; pass --token TOKEN or set CONVEYOR_TOKEN")
    return Connection(server=url, token=secret)
