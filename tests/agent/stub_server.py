"""A scripted stand-in for the server's /rpc routes, for the agent's pure protocol handling.

Each request is recorded (path, headers, JSON body); the answer is the next one queued for its
route (status, body), else 200 {} (204 for stage requests).
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.local_http import QuietHandler, serve_handler


@dataclass
class Script:
    """Queued answers by route suffix, and every request seen."""

    answers: dict[str, deque[tuple[int, Any]]] = field(default_factory=lambda: defaultdict(deque))
    seen: list[tuple[str, dict[str, str], Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, route: str, status: int, body: Any = None) -> None:
        """Queue one answer for requests whose path ends with `route`."""
        self.answers[route].append((status, body))

    def bodies(self, route: str) -> list[Any]:
        """The JSON bodies of the requests to `route`, in order."""
        with self.lock:
            return [body for path, _headers, body in self.seen if path.endswith(route)]

    def reply(self, path: str) -> tuple[int, Any]:
        with self.lock:
            for route, queue in self.answers.items():
                if path.endswith(route) and queue:
                    return queue.popleft()
        return (204, None) if path.endswith("/stages/request") else (200, {})


@contextmanager
def stub_server() -> Iterator[tuple[str, Script]]:
    """Yields the base URL and its script."""
    script = Script()

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"null")
            with script.lock:
                script.seen.append((self.path, dict(self.headers.items()), body))
            status, answer = script.reply(self.path)
            data = b"" if answer is None else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    with serve_handler(Handler) as url:
        yield url, script
