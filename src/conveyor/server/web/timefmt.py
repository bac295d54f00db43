"""How times and durations read on the pages: "3 min ago", "1m 05s", and the exact UTC time
for `<time datetime>` and `title`. Pure."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def iso_time(seconds: int) -> str:
    """`2026-12-01T05:30:00Z` (empty for 0: never)."""
    if seconds <= 0:
        return ""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def exact_time(seconds: int) -> str:
    """`2026-12-01 05:30:00 UTC` (empty for 0)."""
    if seconds <= 0:
        return ""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def relative_time(seconds: int, now: float | None = None) -> str:
    """`just now`, `5 min ago`, `3 h ago`, `2 days ago` (`never` for 0)."""
    if seconds <= 0:
        return "never"
    ago = int((time.time() if now is None else now) - seconds)
    if ago < 45:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "h"), (60, "min")):
        if ago >= size:
            count = round(ago / size) if size < 86400 else ago // size
            plural = "s" if unit == "day" and count != 1 else ""
            return f"{count} {unit}{plural} ago"
    return "just now"


def duration(started: int, stopped: int, now: float | None = None) -> str:
    """`1m 05s`, `2h 03m`, `42s`; a running thing counts up to now; empty when not started."""
    if started <= 0:
        return ""
    end = stopped if stopped > 0 else int(time.time() if now is None else now)
    total = max(end - started, 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"
