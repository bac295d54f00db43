"""The agent's main loop: `capacity` workers, each asking the server for a stage and running it.

Every worker long-polls /stages/request with the stages the agent runs right now. A refusal
(bad secret, other protocol) stops the agent with the server's sentence; an unreachable server
is waited for. Setting `stop` ends the polling and cancels the running stages.
"""

from __future__ import annotations

import threading
import time

from conveyor.agent.client import RpcRefusedError
from conveyor.agent.settings import AgentSettings
from conveyor.agent.stage_run import StageHost, run_assignment
from conveyor.errors import ConveyorError
from conveyor.rpc.agent import StageRequest

RETRY_WAIT = 3.0
"""Seconds between requests for work while the server cannot be reached."""


class Agent:
    """Runs stages for one server until stopped or refused."""

    def __init__(self, settings: AgentSettings, host: StageHost, stop: threading.Event) -> None:
        self._settings, self._host = settings, host
        self.stop = stop
        self._lock = threading.Lock()
        self._running: set[int] = set()
        self._problem: str | None = None
        self.refusal: RpcRefusedError | None = None
        """Why the server refused this agent (the agent then stops)."""

    def run(self) -> None:
        """Work until `stop` is set or the server refuses the agent; then wait for the stages
        that run (they are cancelled), not for workers waiting for work."""
        for n in range(self._settings.capacity):
            threading.Thread(target=self._work, name=f"worker-{n}", daemon=True).start()
        while not self.stop.wait(0.5):
            pass
        while self.running():
            time.sleep(0.1)

    def running(self) -> tuple[int, ...]:
        """The stages this agent runs now."""
        with self._lock:
            return tuple(sorted(self._running))

    def _trouble(self, problem: str | None) -> None:
        """Say once that the server cannot be asked (and once that it can again); wait a bit."""
        with self._lock:
            said, self._problem = self._problem, problem
        if problem is None:
            if said is not None:
                self._host.err.write("conveyor agent: the server answers again\n")
            return
        if said is None:
            self._host.err.write(f"conveyor agent: {problem} Trying again every few seconds.\n")
        self.stop.wait(RETRY_WAIT)

    def _work(self) -> None:
        while not self.stop.is_set():
            try:
                assignment = self._host.client.request_stage(
                    StageRequest(
                        agent=self._settings.info(self.running()), wait=self._settings.wait
                    )
                )
            except RpcRefusedError as exc:
                self.refusal = exc
                self.stop.set()
                return
            except ConveyorError as exc:  # unreachable, or an answer it cannot read
                self._trouble(str(exc))
                continue
            self._trouble(None)
            if assignment is None:
                continue
            with self._lock:
                self._running.add(assignment.stage_id)
            try:
                run_assignment(self._host, assignment, self.stop)
            finally:
                with self._lock:
                    self._running.discard(assignment.stage_id)
