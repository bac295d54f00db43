"""Run an ASGI app under a real uvicorn on 127.0.0.1 (a free port), in a thread, for tests.

Tests that need real HTTP (the git push hook, the `conveyor` client commands) use this; tests
that send thousands of requests use Starlette's in-process TestClient instead.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from conveyor.cli.server_run import bind


@contextmanager
def serve_app(app: Any) -> Iterator[str]:
    """Yields the base URL (`http://127.0.0.1:PORT`); the server stops on exit."""
    sock = bind("127.0.0.1", 0)  # the server's own socket set-up (Nagle off on connections)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise AssertionError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def sse_events(response: httpx.Response, *, json_data: bool = True) -> Iterator[dict[str, Any]]:
    """The Server-Sent Events of a streamed response (comments skipped); `data` parsed as JSON
    unless `json_data` is false."""
    event: dict[str, Any] = {}
    for line in response.iter_lines():
        if not line:
            if event:
                yield event
            event = {}
        elif not line.startswith(":"):
            key, _, value = line.partition(": ")
            event[key] = json.loads(value) if key == "data" and json_data else value
