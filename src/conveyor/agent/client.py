"""The agent's side of the protocol (docs/agent-protocol.md): one method per /rpc/v1 route.

Connection errors and 5xx answers are retried with backoff (a restarting server is waited
for, up to `retry_for` seconds); 4xx answers never are: they raise `RpcRefusedError` with the
server's one-sentence message, `StageLostError` for 409 (the stage is not this agent's any more).
The shared secret travels only in the Authorization header and never appears in an error.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests

from conveyor.errors import ConveyorError
from conveyor.rpc import PREFIX, PROTOCOL, PROTOCOL_HEADER
from conveyor.rpc.agent import StageRequest
from conveyor.rpc.assignment import Assignment
from conveyor.rpc.fields import ProtocolError
from conveyor.rpc.reports import (
    DoneReport,
    EventBatch,
    Heartbeat,
    HeartbeatReply,
    LogBatch,
    StepsReport,
)

REPORT_TIMEOUT = 10.0
"""Seconds one report request may take before it counts as a connection error."""
POOL = 64
"""Connections kept open to the server (each running stage may hold two at once)."""


class RpcRefusedError(ConveyorError):
    """The server answered 4xx: retrying the same request cannot help."""

    exit_code = 1

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class StageLostError(RpcRefusedError):
    """409: the stage is not this agent's any more (its lease ran out, or it was reassigned)."""


class ServerUnreachableError(ConveyorError):
    """No answer (or only 5xx answers) from the server for `retry_for` seconds."""


class RpcClient:
    """Talks to one server with one shared secret; safe to share between threads."""

    def __init__(
        self,
        server: str,
        secret: str,
        *,
        retry_for: float = 300.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._base = server.rstrip("/") + PREFIX
        self._server = server.rstrip("/")
        self._session = requests.Session()
        self._session.headers.update(
            {"Authorization": f"Bearer {secret}", PROTOCOL_HEADER: str(PROTOCOL)}
        )
        self._retry_for = retry_for
        self._sleep = sleep
        # stage requests and heartbeats are held by the server: enough connections for all
        pool = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=POOL)
        self._session.mount("http://", pool)
        self._session.mount("https://", pool)

    def __repr__(self) -> str:
        return f"RpcClient({self._server!r})"

    def request_stage(self, request: StageRequest) -> Assignment | None:
        """Long-poll for a stage, once (the caller waits and asks again); None when the server
        had none within `request.wait`."""
        answer = self._post(
            "/stages/request", request.to_data(), timeout=request.wait + 15.0, retry=False
        )
        if answer is None:
            return None
        return Assignment.from_data(answer.get("stage"))

    def heartbeat(self, stage_id: int, agent: str, *, wait: float = 0.0) -> HeartbeatReply:
        """Extend the lease; the reply (held up to `wait` seconds unless the stage is
        cancelled) says whether the stage is cancelled."""
        body = Heartbeat(agent=agent, wait=wait).to_data()
        answer = self._post(f"/stages/{stage_id}/heartbeat", body, timeout=REPORT_TIMEOUT + wait)
        return HeartbeatReply.from_data(answer)

    def steps(self, stage_id: int, report: StepsReport) -> None:
        """Report step states that changed."""
        self._post(f"/stages/{stage_id}/steps", report.to_data())

    def logs(self, stage_id: int, batch: LogBatch | bytes) -> None:
        """Send log lines (the server ignores lines it already stored): a batch, or its JSON
        already written (`rpc.reports.batch_json`)."""
        body = batch if isinstance(batch, bytes) else batch.to_json()
        self._post(f"/stages/{stage_id}/logs", body)

    def events(self, stage_id: int, batch: EventBatch) -> None:
        """Send pull progress events."""
        self._post(f"/stages/{stage_id}/events", batch.to_data())

    def done(self, stage_id: int, report: DoneReport) -> None:
        """Report the end of the stage."""
        self._post(f"/stages/{stage_id}/done", report.to_data())

    def _post(
        self,
        path: str,
        body: dict[str, object] | bytes,
        *,
        timeout: float = REPORT_TIMEOUT,
        retry: bool = True,
    ) -> dict[str, Any] | None:
        """POST `body` (a value, or JSON already encoded) with retries on connection errors
        and 5xx; the JSON answer, None for 204."""
        deadline = time.monotonic() + (self._retry_for if retry else 0.0)
        delay = 0.2
        while True:
            try:
                response = self._session.post(self._base + path, timeout=timeout, **_payload(body))
            except requests.RequestException as exc:
                problem = f"cannot reach the server at {self._server} ({type(exc).__name__})"
            else:
                if response.status_code < 500:
                    return _answer(response, self._server)
                problem = f"the server at {self._server} answered {response.status_code}"
            left = deadline - time.monotonic()
            if left <= 0:
                raise ServerUnreachableError(f"{problem}.")
            self._sleep(min(delay, left))
            delay = min(delay * 2, 5.0)


def _payload(body: dict[str, object] | bytes) -> dict[str, Any]:
    """`requests` arguments that send `body` as JSON."""
    if isinstance(body, bytes):
        return {"data": body, "headers": {"Content-Type": "application/json"}}
    return {"json": body}


def _answer(response: requests.Response, server: str) -> dict[str, Any] | None:
    """The body of a non-5xx answer, or the refusal it says."""
    if response.status_code == 204:
        return None
    if response.status_code >= 400:
        message = _message(response)
        error = StageLostError if response.status_code == 409 else RpcRefusedError
        raise error(f"the server at {server} refused: {message}", status=response.status_code)
    try:
        data = response.json()
    except ValueError:
        raise ProtocolError(f"the server at {server} answered with something not JSON.") from None
    if not isinstance(data, dict):
        raise ProtocolError(f"the server at {server} answered with JSON that is not an object.")
    return data


def _message(response: requests.Response) -> str:
    """The server's one-sentence reason (`message` or FastAPI's `detail`), else the status."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("message", "detail"):
            if isinstance(data.get(key), str):
                return str(data[key])
    return f"HTTP {response.status_code}"
