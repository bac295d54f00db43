"""A stage's heartbeat thread: keeps the lease, and sets the run's cancel flag when the server
says the stage is cancelled, or that it is not this agent's any more (409)."""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from conveyor.agent.client import RpcClient, RpcRefusedError, ServerUnreachableError, StageLostError

BEAT = 0.5
"""Seconds between heartbeats: a cancel reaches the run within about this long."""


def _interval(lease_seconds: float) -> float:
    return max(0.1, min(lease_seconds / 3, BEAT))


class Heartbeat:
    """Beats every half second (a cancel is seen that soon), at most every third of the lease."""

    def __init__(
        self,
        client: RpcClient,
        stage_id: int,
        agent: str,
        *,
        lease_seconds: float,
        cancel: threading.Event,
        err: TextIO = sys.stderr,
    ) -> None:
        self._client, self._stage, self._agent = client, stage_id, agent
        self._interval = _interval(lease_seconds)
        self._cancel, self._err = cancel, err
        self._stop = threading.Event()
        self.cancelled = False
        """The server asked to stop the stage (it ends `killed`)."""
        self.lost: str | None = None
        """Why the stage is not this agent's any more (its lease ran out, or it was taken)."""
        self._thread = threading.Thread(target=self._loop, name=f"beat-{stage_id}", daemon=True)

    def start(self) -> None:
        """Begin beating; the first beat is at once (a cancel before the start is seen)."""
        self._thread.start()

    def stop(self) -> None:
        """Stop beating (the stage is over)."""
        self._stop.set()
        self._thread.join()

    def lose(self, reason: str) -> None:
        """The stage is not ours any more: stop it, and stop beating."""
        if self.lost is None:
            self.lost = reason
            self._err.write(f"conveyor agent: stage {self._stage}: {reason}; stopping it.\n")
        self._cancel.set()
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.beat()
            self._stop.wait(self._interval)

    def beat(self) -> None:
        """One heartbeat and what its answer says."""
        try:
            reply = self._client.heartbeat(self._stage, self._agent)
        except StageLostError as exc:
            self.lose(str(exc))
            return
        except (RpcRefusedError, ServerUnreachableError) as exc:
            self._err.write(f"conveyor agent: stage {self._stage}: heartbeat: {exc}\n")
            return
        self._interval = _interval(reply.lease_seconds)
        if reply.cancel and not self.cancelled:
            self.cancelled = True
            self._cancel.set()
