"""Colours and short forms shared by the output parts (ANSI codes, written by hand for speed).

Log lines go out by the million, so their prefixes are plain strings built once per step,
not rich renderables. Pure.
"""

from __future__ import annotations

PALETTE = ("36", "35", "33", "32", "34", "96", "95", "93", "92", "94")
"""ANSI foreground colours given to steps in turn (cyan, magenta, yellow, green, blue...)."""
STATUS_STYLE = {
    "success": "green",
    "failure": "red",
    "error": "red",
    "killed": "red",
    "skipped": "dim",
    "running": "yellow",
    "pending": "dim",
}
"""rich styles of step statuses in the summary table."""
LONGEST_PREFIX = 24


def paint(text: str, code: str, color: bool) -> str:
    """`text` in ANSI colour `code` when `color`."""
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def short_image(image: str) -> str:
    """`docker.io/library/golang:1.12` -> `golang:1.12`; other registries are kept."""
    for prefix in ("docker.io/library/", "docker.io/"):
        if image.startswith(prefix):
            return image[len(prefix) :]
    return image


def short_digest(digest: str | None) -> str:
    """`sha256:0123456789ab...` (12 hex digits), or "" for None."""
    if not digest:
        return ""
    algorithm, _, hex_part = digest.partition(":")
    return f"{algorithm}:{hex_part[:12]}..." if hex_part else digest


def seconds(value: float) -> str:
    """`0.4s`, `12s`, `3m05s`."""
    if value < 10:
        return f"{value:.1f}s"
    if value < 60:
        return f"{value:.0f}s"
    minutes, rest = divmod(int(value), 60)
    return f"{minutes}m{rest:02d}s"
