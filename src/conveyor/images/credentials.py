"""A registry credential as Conveyor carries it: never printed, never in a repr.

Parsing config.json documents and choosing candidates for an image live in sibling
modules; this module is only the value type shared by every room.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, kw_only=True)
class Credential:
    """One candidate login for one registry host, with where it came from.

    `registry` is the normalised host (`docker.io`, `127.0.0.1:5001`); `source` names the
    origin for messages (`secret dockerconfig`, `/etc/conveyor/config.json`, `plugin`), and
    `key` the config.json key it was read from (`https://gcr.io`). Secrets are excluded from
    repr and comparisons print nothing.
    """

    registry: str
    username: str
    password: str = field(default="", repr=False)
    identity_token: str | None = field(default=None, repr=False)
    source: str = ""
    key: str = ""

    def auth_config(self) -> dict[str, str]:
        """The `auth_config` dict the Docker Engine API expects for a pull."""
        if self.identity_token:
            return {"identitytoken": self.identity_token, "serveraddress": self.registry}
        return {
            "username": self.username,
            "password": self.password,
            "serveraddress": self.registry,
        }
