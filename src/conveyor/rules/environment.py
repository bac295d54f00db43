"""What a container's environment may hold: variable names Docker and shells accept, a total
size a process can start with, and plugin settings that can become variables. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from conveyor.spec.model import EnvValue, FromSecret, SettingValue

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""A variable name: a letter or `_`, then letters, digits or `_`."""

MAX_ENVIRONMENT_BYTES = 1024 * 1024
"""Names and values of a step's variables together (pipeline, step and settings). Linux
starts a process with at most a few MiB of arguments and environment; no real pipeline
comes near this."""


def valid_name(name: str) -> bool:
    """True when `name` can be an environment variable (`A=B` or `1A` cannot)."""
    return NAME.fullmatch(name) is not None


def environment_bytes(*layers: Mapping[str, EnvValue]) -> int:
    """The size of `NAME=value` strings of the layers (a secret counts by its name only)."""
    total = 0
    for layer in layers:
        for key, value in layer.items():
            total += len(key) + 2 + (len(value) if isinstance(value, str) else 0)
    return total


def settings_bytes(settings: Mapping[str, SettingValue]) -> int:
    """An estimate of the size of the `PLUGIN_*` variables of `settings`."""
    return sum(len(key) + 9 + len(str(value)) for key, value in settings.items())


def nested_secret(value: SettingValue) -> bool:
    """True when `from_secret` sits inside a list or map (no variable can hold it)."""
    if isinstance(value, tuple):
        return any(isinstance(v, FromSecret) or nested_secret(v) for v in value)
    if isinstance(value, Mapping):
        return any(isinstance(v, FromSecret) or nested_secret(v) for v in value.values())
    return False
