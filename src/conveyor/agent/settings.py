"""The agent's settings as one value: server, secret, name, capacity, labels and platform."""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from pathlib import Path

from conveyor.rpc.agent import AgentInfo, Platform

ARCHES = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386"}
"""`uname -m` words as Drone (Go) names them."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentSettings:
    """How `conveyor agent` was started."""

    server: str
    secret: str = field(repr=False)
    name: str
    capacity: int = 2
    labels: dict[str, str] = field(default_factory=dict)
    platform: Platform = field(default_factory=lambda: local_platform())  # noqa: PLW0108 - defined below
    state_dir: Path
    """The image cache ledger's directory (separate agents on one host: separate dirs)."""
    image_cache_mode: str = "verify"
    wait: float = 30.0
    """Seconds one request for work waits at the server."""
    version: str = ""

    def info(self, running: tuple[int, ...]) -> AgentInfo:
        """What the agent says about itself when it asks for work."""
        return AgentInfo(
            name=self.name,
            platform=self.platform,
            labels=dict(self.labels),
            capacity=self.capacity,
            running=running,
            version=self.version,
        )


def local_platform() -> Platform:
    """This machine's os and arch, as Drone names them (linux/amd64)."""
    machine = platform.machine().lower()
    return Platform(os=platform.system().lower(), arch=ARCHES.get(machine, machine))
