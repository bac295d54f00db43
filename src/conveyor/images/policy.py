"""The pull policies a step may name (`pull:`), as written in `.drone.yml`."""

from __future__ import annotations

from enum import StrEnum


class PullPolicy(StrEnum):
    """Drone's pull policies; DEFAULT pulls `latest` images and reuses other cached tags."""

    DEFAULT = "default"
    ALWAYS = "always"
    IF_NOT_EXISTS = "if-not-exists"
    NEVER = "never"
