"""Which containers a run has, and the gates that keep new ones out once a step or the run ends.

Step threads announce a launch (create + start) and register the container after; `close`
waits for launches in flight, so no container can appear after the run's cleanup, and `refuse`
does the same for one step (killed by its time limit before its container exists).
"""

from __future__ import annotations

import threading


class ContainerTracker:
    """Thread-safe map step -> container id, with a closing gate and per-step refusals."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._containers: dict[str, str] = {}
        self._launching: set[str] = set()
        self._refused: set[str] = set()
        self._exited: set[str] = set()
        self._closing = False

    @property
    def closing(self) -> bool:
        """Whether the run stopped accepting containers."""
        with self._cond:
            return self._closing

    def begin_launch(self, step: str) -> bool:
        """Announce a create+start of `step`; False when it may not launch (do not create)."""
        with self._cond:
            if self._closing or step in self._refused:
                return False
            self._launching.add(step)
            return True

    def end_launch(self, step: str, container: str | None) -> bool:
        """Register the container (None: the create failed); False if it should not run."""
        with self._cond:
            self._launching.discard(step)
            if container is not None:
                self._containers[step] = container
            self._cond.notify_all()
            return not self._closing and step not in self._refused

    def refuse(self, step: str) -> bool:
        """Let `step` launch no more; True when it has no container and none is on the way."""
        with self._cond:
            self._refused.add(step)
            return step not in self._launching and step not in self._containers

    def mark_exited(self, step: str) -> None:
        """The output of `step`'s container ended: it exited (on its own or stopped)."""
        with self._cond:
            self._exited.add(step)

    def exited(self, step: str) -> bool:
        """Whether `step`'s container was seen to exit."""
        with self._cond:
            return step in self._exited

    def get(self, step: str) -> str | None:
        """The container of `step`, if it was created."""
        with self._cond:
            return self._containers.get(step)

    def close(self, timeout: float) -> dict[str, str]:
        """Refuse new launches, wait (up to `timeout`) for those in flight; all containers."""
        with self._cond:
            self._closing = True
            self._cond.wait_for(lambda: not self._launching, timeout=timeout)
            return dict(self._containers)

    def snapshot(self) -> dict[str, str]:
        """Every container so far."""
        with self._cond:
            return dict(self._containers)
