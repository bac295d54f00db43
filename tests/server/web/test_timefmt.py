"""How times read on the pages."""

from __future__ import annotations

from conveyor.server.web.timefmt import duration, exact_time, iso_time, relative_time

NOW = 1_800_000_000.0


def test_relative_times() -> None:
    assert relative_time(0, NOW) == "never"
    assert relative_time(int(NOW) - 10, NOW) == "just now"
    assert relative_time(int(NOW) - 300, NOW) == "5 min ago"
    assert relative_time(int(NOW) - 3 * 3600, NOW) == "3 h ago"
    assert relative_time(int(NOW) - 86400, NOW) == "1 day ago"
    assert relative_time(int(NOW) - 5 * 86400, NOW) == "5 days ago"


def test_exact_times() -> None:
    assert iso_time(1_800_000_000) == "2027-01-15T08:00:00Z"
    assert exact_time(1_800_000_000) == "2027-01-15 08:00:00 UTC"
    assert iso_time(0) == exact_time(0) == ""


def test_durations() -> None:
    assert duration(0, 0, NOW) == ""
    assert duration(100, 142, NOW) == "42s"
    assert duration(100, 165, NOW) == "1m 05s"
    assert duration(100, 100 + 7380, NOW) == "2h 03m"
    assert duration(int(NOW) - 30, 0, NOW) == "30s"  # still running
