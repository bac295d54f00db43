"""`ServerClient`: JSON requests to `/api`; each failure is one sentence and an exit code.

401 means the token, 403 the permission, 404 names what was not found; a server that cannot
be reached is named by its URL (exit 2). Bodies of error answers are read for their `message`
only. Never logs, never puts the token in a message.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from conveyor.client.connection import Connection
from conveyor.errors import ConveyorError

TIMEOUT = 30.0


STREAM_IDLE = 60.0
"""Seconds a live stream may stay silent (the server pings every 15 s) before it counts as lost."""


class ServerRefusedError(ConveyorError):
    """The server answered with an error (4xx, 5xx)."""

    exit_code = 1

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class UnreachableError(ConveyorError):
    """The server could not be reached, or did not answer like a Conveyor server."""


def segment(value: str) -> str:
    """One path segment, percent-encoded (slashes included)."""
    return quote(value, safe="")


class ServerClient:
    """Requests to one server with one token."""

    def __init__(self, connection: Connection, *, timeout: float = TIMEOUT) -> None:
        self._connection = connection
        self._timeout = timeout
        self._session = requests.Session()
        self._session.trust_env = False  # no proxy from the environment for a CI server's API
        self._session.headers["Authorization"] = f"Bearer {connection.token}"
        self._session.headers["Accept"] = "application/json"

    @property
    def server(self) -> str:
        """The server's base URL."""
        return self._connection.server

    def call(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> Any:
        """`method` on `/api{path}`; the decoded JSON (None for an empty answer).

        `what` names the thing asked for in a 404 message ("repository acme/app").
        """
        response = self._send(method, path, params=params, body=body)
        self._check(response, what)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise UnreachableError(
                f"{self.server} answered {method} /api{path} with something that is not JSON; "
                "is --server the address of a Conveyor server?"
            ) from None

    def open_stream(self, path: str, *, what: str, last_id: str | None) -> requests.Response:
        """GET `/api{path}` as a Server-Sent Events stream (resumed after `last_id`)."""
        headers = {"Accept": "text/event-stream"}
        if last_id is not None:
            headers["Last-Event-ID"] = last_id
        url = f"{self.server}/api{path}"
        try:
            response = self._session.get(
                url, headers=headers, stream=True, timeout=(self._timeout, STREAM_IDLE)
            )
        except requests.RequestException as exc:
            raise self._unreachable(exc) from None
        self._check(response, what)
        return response

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None,
        body: dict[str, Any] | None,
    ) -> requests.Response:
        url = f"{self.server}/api{path}"
        try:
            return self._session.request(
                method, url, params=params, json=body, timeout=self._timeout
            )
        except requests.Timeout:
            raise UnreachableError(
                f"the server at {self.server} did not answer within {self._timeout:g} s"
            ) from None
        except requests.RequestException as exc:
            raise self._unreachable(exc) from None

    def _unreachable(self, exc: requests.RequestException) -> UnreachableError:
        reason = type(exc).__name__.replace("Error", " error").lower()
        return UnreachableError(
            f"cannot reach the server at {self.server} ({reason}); "
            "check --server or CONVEYOR_SERVER"
        )

    def _check(self, response: requests.Response, what: str) -> None:
        status = response.status_code
        if status < 400:
            return
        said = _message(response)
        if status == 401:
            text = "the server refused the token (401); check --token or CONVEYOR_TOKEN"
        elif status == 403:
            text = f"you may not do this on the server (403){': ' + said if said else ''}"
        elif status == 404:
            text = f"{what} was not found on the server (404)"
        else:
            text = f"the server refused the request ({status}){': ' + said if said else ''}"
        raise ServerRefusedError(text, status=status)


def _message(response: requests.Response) -> str:
    """The `message` of an error answer, shortened and on one line."""
    try:
        data = response.json()
    except ValueError:
        return ""
    message = data.get("message") if isinstance(data, dict) else None
    if not isinstance(message, str):
        return ""
    return " ".join(message.split())[:300]
