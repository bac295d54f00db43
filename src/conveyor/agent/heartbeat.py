"""A stage's heartbeat thread: keeps the lease, and sets the run's cancel flag when the server
says the stage is cancelled, or that it is not this agent's any more (409).

Each heartbeat is a long poll: the server holds it up to `wait` seconds and answers at once
when the stage is cancelled, so a cancel reaches the run within a round trip while a quiet
stage costs one request every few seconds.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from conveyor.agent.client import RpcClient, RpcRefusedError, ServerUnreachableError, StageLostError

HOLD = 10.0
"""The longest the server is asked to hold a heartbeat (seconds)."""
GAP = 0.5
"""The shortest time between two heartbeats (a server that answers at once is not flooded)."""


def hold_for(lease_seconds: float) -> float:
    """How long a heartbeat may be held: a third of the lease, at most HOLD."""
    return max(0.0, min(lease_seconds / 3, HOLD))


class Heartbeat:
    """Beats until stopped; each beat is held by the server unless the stage is cancelled."""

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
        self._wait = hold_for(lease_seconds)
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
        """Stop beating (the stage is over). A beat the server holds is not waited for: its
        answer is ignored."""
        self._stop.set()

    def lose(self, reason: str) -> None:
        """The stage is not ours any more: stop it, and stop beating."""
        if self.lost is None:
            self.lost = reason
            self._err.write(f"conveyor agent: stage {self._stage}: {reason}; stopping it.\n")
        self._cancel.set()
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            began = time.monotonic()
            self.beat()
            self._stop.wait(max(0.0, GAP - (time.monotonic() - began)))

    def beat(self) -> None:
        """One heartbeat and what its answer says (nothing once stopped)."""
        try:
            reply = self._client.heartbeat(self._stage, self._agent, wait=self._wait)
        except StageLostError as exc:
            if not self._stop.is_set():
                self.lose(str(exc))
            return
        except (RpcRefusedError, ServerUnreachableError) as exc:
            if not self._stop.is_set():
                self._err.write(f"conveyor agent: stage {self._stage}: heartbeat: {exc}\n")
            return
        if self._stop.is_set():
            return
        self._wait = hold_for(reply.lease_seconds)
        if reply.cancel and not self.cancelled:
            self.cancelled = True
            self._cancel.set()
