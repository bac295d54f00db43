"""A wake-up for long-polling agents: whoever makes a stage pending calls `notify` (from any
thread); waiters (coroutines) wake at once instead of at their next poll."""

from __future__ import annotations

import asyncio
import threading


class QueueSignal:
    """Set of waiting coroutines, each woken by the next `notify`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

    def notify(self) -> None:
        """Wake every waiter (safe from worker threads and from the event loop)."""
        with self._lock:
            waiters = list(self._waiters)
        for loop, event in waiters:
            if not loop.is_closed():
                loop.call_soon_threadsafe(event.set)

    async def wait(self, timeout: float) -> bool:
        """Wait for a notify or `timeout` seconds; True when notified."""
        key = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters.add(key)
        try:
            await asyncio.wait_for(key[1].wait(), timeout)
        except TimeoutError:
            return False
        finally:
            with self._lock:
                self._waiters.discard(key)
        return True
