"""The words a pipeline may use for `failure:` and `pull:`, read the way Drone reads them.

Both are compared case-insensitively, as Drone does. `pull: true` / `pull: false` are Drone
0.8 syntax: Drone 1.x reads them as no policy (the default), so does Conveyor, and lint
warns. Pure.
"""

from __future__ import annotations

from conveyor.images.policy import PullPolicy

FAILURES = ("ignore", "always", "fast")
"""`failure:` values that messages list."""
_FAILURE_IGNORES = {
    "": False,
    "ignore": True,
    "always": False,
    "fast": False,
    "fail-fast": False,
    "fast-fail": False,
}
"""Every `failure:` value Drone accepts, and whether it ignores the step's failure."""

POLICIES = (*(p.value for p in PullPolicy if p is not PullPolicy.DEFAULT), PullPolicy.DEFAULT.value)
"""Valid `pull:` values, in the order messages list them (the default last)."""
LEGACY_PULL = frozenset({"true", "false"})
"""Drone 0.8's boolean `pull:`; Drone 1.x reads it as the default policy."""


def failure_ignores(value: str | None) -> bool | None:
    """Whether `failure: value` ignores the step's failure; None for an unknown value."""
    if value is None:
        return False
    return _FAILURE_IGNORES.get(value.strip().lower())


def is_legacy_pull(value: str) -> bool:
    """True for `pull: true`/`false` (Drone 0.8), which Drone 1.x reads as the default."""
    return value.strip().lower() in LEGACY_PULL


def pull_policy(value: str) -> PullPolicy | None:
    """The policy a `pull:` value names (legacy booleans: the default); None if unknown."""
    word = value.strip().lower()
    if word in LEGACY_PULL:
        return PullPolicy.DEFAULT
    try:
        return PullPolicy(word)
    except ValueError:
        return None
