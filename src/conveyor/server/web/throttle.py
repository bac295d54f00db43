"""Failed sign-ins per user name: more than LIMIT within WINDOW seconds and the name is
refused (429) until the window has moved on. In memory, per server process."""

from __future__ import annotations

import threading
import time
from collections import deque

LIMIT = 10
WINDOW = 60.0
MAX_NAMES = 10_000
"""Names remembered at most (the oldest failures are forgotten first)."""


class SignInThrottle:
    """Counts recent failures per user name (thread-safe)."""

    def __init__(self, *, limit: int = LIMIT, window: float = WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, name: str, now: float) -> deque[float]:
        times = self._failures.get(name, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked(self, name: str, now: float | None = None) -> bool:
        """Whether `name` has had `limit` failures within the window."""
        with self._lock:
            return len(self._recent(name.lower(), now or time.monotonic())) >= self.limit

    def failed(self, name: str, now: float | None = None) -> None:
        """Count one failure for `name`."""
        key = name.lower()
        moment = now or time.monotonic()
        with self._lock:
            times = self._recent(key, moment)
            times.append(moment)
            self._failures.pop(key, None)
            self._failures[key] = times  # newest last
            while len(self._failures) > MAX_NAMES:
                del self._failures[next(iter(self._failures))]

    def succeeded(self, name: str) -> None:
        """Forget `name`'s failures."""
        with self._lock:
            self._failures.pop(name.lower(), None)
