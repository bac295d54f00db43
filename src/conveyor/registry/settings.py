"""Plain settings of the registry room: the registry plugin's endpoint and shared secret, and
the sources a run reads its registry logins from.

Values only (no I/O, no HTTP library), so that a stage job can carry them; registry/sources.py
and registry/plugin.py do the reading. The shared secret never appears in a repr.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


class TlsMode(StrEnum):
    """Whether the plugin's TLS certificate is checked (`DRONE_REGISTRY_PLUGIN_SKIP_VERIFY`)."""

    VERIFY = "verify"
    SKIP_VERIFY = "skip-verify"


@dataclass(frozen=True, slots=True, kw_only=True)
class PluginSettings:
    """Where the registry plugin listens and the secret shared with it."""

    endpoint: str
    secret: str = field(repr=False)
    tls: TlsMode = TlsMode.VERIFY
    timeout: float = 60.0

    def display(self) -> str:
        """The endpoint without user info, fit for messages."""
        return safe_endpoint(self.endpoint)


def safe_endpoint(endpoint: str) -> str:
    """`http://user:pw@host:3000/x` -> `http://host:3000/x`."""
    parts = urlsplit(endpoint)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrySources:
    """Where a run finds registry logins besides `image_pull_secrets`: the runner-wide config
    files and the registry plugin (nothing is read until a run collects them)."""

    config_files: tuple[Path, ...] = ()
    plugin: PluginSettings | None = None
