"""Which containers a run has, and the gate that keeps new ones out once the run is closing.

Step threads announce a launch (create + start) and register the container after; `close`
waits for launches in flight, so no container can appear after the run's cleanup.
"""

from __future__ import annotations

import threading


class ContainerTracker:
    """Thread-safe map step -> container id, with a closing gate."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._containers: dict[str, str] = {}
        self._in_flight = 0
        self._closing = False

    @property
    def closing(self) -> bool:
        """Whether the run stopped accepting containers."""
        with self._cond:
            return self._closing

    def begin_launch(self) -> bool:
        """Announce a create+start; False when the run is closing (do not create)."""
        with self._cond:
            if self._closing:
                return False
            self._in_flight += 1
            return True

    def end_launch(self, step: str, container: str | None) -> bool:
        """Register the container (None: the create failed); False if the run is closing."""
        with self._cond:
            self._in_flight -= 1
            if container is not None:
                self._containers[step] = container
            self._cond.notify_all()
            return not self._closing

    def get(self, step: str) -> str | None:
        """The container of `step`, if it was created."""
        with self._cond:
            return self._containers.get(step)

    def close(self, timeout: float) -> dict[str, str]:
        """Refuse new launches, wait (up to `timeout`) for those in flight; all containers."""
        with self._cond:
            self._closing = True
            self._cond.wait_for(lambda: self._in_flight == 0, timeout=timeout)
            return dict(self._containers)

    def snapshot(self) -> dict[str, str]:
        """Every container so far."""
        with self._cond:
            return dict(self._containers)
