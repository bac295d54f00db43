"""A wake-up for long-polling agents: whoever makes a stage pending (or cancels one) calls
`notify` (from any thread); waiters (coroutines) wake at once instead of at their next poll.
A waiter that read the state after noting `generation` misses no notify made in between."""

from __future__ import annotations

import asyncio
import threading


class QueueSignal:
    """Set of waiting coroutines, each woken by the next `notify`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._generation = 0

    @property
    def generation(self) -> int:
        """How many notifies so far: note it before reading what a notify announces."""
        with self._lock:
            return self._generation

    @property
    def waiting(self) -> int:
        """How many coroutines wait right now."""
        with self._lock:
            return len(self._waiters)

    def notify(self) -> None:
        """Wake every waiter (safe from worker threads and from the event loop)."""
        with self._lock:
            self._generation += 1
            waiters = list(self._waiters)
        for loop, event in waiters:
            if not loop.is_closed():
                loop.call_soon_threadsafe(event.set)

    async def wait(self, timeout: float, since: int | None = None) -> bool:
        """Wait for a notify or `timeout` seconds; True when notified. With `since` (a
        `generation` noted earlier), a notify made after that noting counts too."""
        key = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            if since is not None and self._generation != since:
                return True
            self._waiters.add(key)
        try:
            await asyncio.wait_for(key[1].wait(), timeout)
        except TimeoutError:
            return False
        finally:
            with self._lock:
                self._waiters.discard(key)
        return True
