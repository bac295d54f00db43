"""A git HTTP server that stalls on demand: bare repositories served through `git
http-backend` (tests/server/git_http.py) until `stall` is set; from then on every request is
held without an answer until the client goes away, which `closed` records (a killed git)."""

from __future__ import annotations

import select
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.local_http import serve_handler
from tests.server.git_http import _Backend


@dataclass
class Stall:
    """The base URL and the events of one stalling server."""

    url: str = ""
    stall: threading.Event = field(default_factory=threading.Event)
    """Set: requests are held from now on."""
    asked: threading.Event = field(default_factory=threading.Event)
    """A request is held."""
    closed: threading.Event = field(default_factory=threading.Event)
    """A held request's client closed its connection."""
    done: threading.Event = field(default_factory=threading.Event)


class _Stalling(_Backend):
    state: Stall

    def do_GET(self) -> None:
        self._hold() if self.state.stall.is_set() else self._relay()

    def do_POST(self) -> None:
        self._hold() if self.state.stall.is_set() else self._relay()

    def _hold(self) -> None:
        """Answer nothing; return when the client closes the connection (or at the end)."""
        self.state.asked.set()
        connection = self.connection
        while not self.state.done.is_set():
            readable, _, _ = select.select([connection], [], [], 0.05)
            if not readable:
                continue
            try:
                data = connection.recv(4096)
            except OSError:
                data = b""
            if not data:
                self.state.closed.set()
                return


@contextmanager
def stalling_git(root: Path, *, stalled: bool = False) -> Iterator[Stall]:
    """Serve the bare repositories under `root`; stalled from the start when `stalled`."""
    state = Stall()
    if stalled:
        state.stall.set()
    handler = type("Stalling", (_Stalling,), {"root": root, "state": state})
    with serve_handler(handler) as url:
        state.url = url
        try:
            yield state
        finally:
            state.done.set()
