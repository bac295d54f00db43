"""Terminal facts for output code: colour (NO_COLOR, FORCE_COLOR, TTY) and width.

Reads the environment only when asked, never at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO


def is_terminal(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """A real terminal that can redraw lines (not a file, a pipe or TERM=dumb)."""
    env = os.environ if environ is None else environ
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and env.get("TERM") != "dumb"


def use_color(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Colour only on a terminal, never when NO_COLOR is set (any value); FORCE_COLOR forces it."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR", "") != "":
        return False
    if env.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    return is_terminal(stream, env)
