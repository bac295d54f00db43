"""Whether a page's event stream may go on: its web session still stands (not signed out, not
expired, the user still active) and, for a repository's stream, the user may still read that
repository. Looked at again at most every RECHECK seconds, in one read transaction, never per
line: a stream ends within about RECHECK + `live.sse.CHECK` seconds of the session's end."""

from __future__ import annotations

import time

from starlette.concurrency import run_in_threadpool

from conveyor.server.api.stream import repo_readable
from conveyor.server.auth import Caller
from conveyor.server.context import AppContext
from conveyor.server.web.session import session_caller

RECHECK = 5.0
"""Seconds between two looks at the session and the permission."""


class StreamWatch:
    """The `guard` of a page's stream (`live.sse`): call it; False once the stream must end."""

    def __init__(
        self, ctx: AppContext, caller: Caller, session: tuple[int, str], repo_id: int | None
    ) -> None:
        self.ctx = ctx
        self.caller = caller
        """The user as last looked at (a stream's permission checks use it)."""
        self.session = session
        self.repo_id = repo_id
        self.looks = 0
        """How many times the session was looked at again (cached permissions expire)."""
        self._next = time.monotonic() + RECHECK
        self._ended = False

    async def __call__(self) -> bool:
        """Whether the stream may go on; looks again when RECHECK seconds have passed."""
        now = time.monotonic()
        if self._ended or now < self._next:
            return not self._ended
        self._next = now + RECHECK
        self._ended = not await run_in_threadpool(self._look)
        return not self._ended

    def _look(self) -> bool:
        with self.ctx.read() as session:
            caller = session_caller(session, *self.session)
            if caller is None:
                return False
            self.caller = caller
            self.looks += 1
            return self.repo_id is None or repo_readable(session, caller, self.repo_id)
