"""ASGI middleware: request body size limits (413) and one access-log line per request.

The log line holds method, path (never the query string, which may carry `access_token`),
status and milliseconds; never a header, a body or a token.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
App = Callable[[Scope, Receive, Send], Any]

access_log = logging.getLogger("conveyor.server.access")


async def _send_json(send: Send, status: int, body: dict[str, str]) -> None:
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


class BodyLimit:
    """Reads the whole request body up front; over the path's limit answers 413."""

    def __init__(self, app: App, *, limit: int, hook_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.hook_limit = hook_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.hook_limit if scope["path"].rstrip("/") == "/hook" else self.limit
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _send_json(send, 413, {"message": f"the request body is over {limit} bytes"})
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _send_json(send, 413, {"message": f"the request body is over {limit} bytes"})
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            following: Message = await receive()
            return following

        await self.app(scope, replay, send)


class AccessLog:
    """Logs one key=value line per request and feeds the latency histogram."""

    def __init__(self, app: App, *, observe: Callable[[str, float], None]) -> None:
        self.app = app
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            seconds = time.perf_counter() - start
            self.observe(scope["method"], seconds)
            if access_log.isEnabledFor(logging.INFO):  # json.dumps only for a line to write
                access_log.info(
                    "method=%s path=%s status=%d ms=%.1f",
                    scope["method"],
                    json.dumps(scope["path"]),
                    status,
                    seconds * 1000,
                )
