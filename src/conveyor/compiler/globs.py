"""Glob patterns of `when:` and `trigger:`, matched the way Drone matches them.

Drone uses the doublestar library: `*` and `?` stop at `/`, `**` as a whole path
component crosses directories, `[...]` classes (negated by `^` or `!`), `{a,b}`
alternatives and `\\` escapes. A malformed pattern matches nothing, as in Drone.
Patterns are translated to regular expressions once and cached. Pure.
"""

from __future__ import annotations

import re
from functools import lru_cache


class _BadPatternError(Exception):
    """A pattern that doublestar refuses (an unclosed `[` or `{`)."""


def glob_match(pattern: str, value: str) -> bool:
    """True when `value` matches the glob `pattern` in full."""
    compiled = _compile(pattern)
    return compiled is not None and compiled.fullmatch(value) is not None


@lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str] | None:
    try:
        regex, _end = _translate(pattern, 0, in_braces=False)
    except _BadPatternError:
        return None
    return re.compile(regex, re.DOTALL)


def _translate(pattern: str, pos: int, *, in_braces: bool) -> tuple[str, int]:
    """The regex of `pattern[pos:]` up to the end, or up to `,`/`}` inside braces."""
    out: list[str] = []
    size = len(pattern)
    while pos < size:
        char = pattern[pos]
        if in_braces and char in ",}":
            return "".join(out), pos
        if char == "*":
            piece, pos = _stars(pattern, pos)
            out.append(piece)
            continue
        if char == "?":
            out.append("[^/]")
        elif char == "[":
            piece, pos = _char_class(pattern, pos)
            out.append(piece)
            continue
        elif char == "{":
            piece, pos = _braces(pattern, pos)
            out.append(piece)
            continue
        elif char == "\\":
            pos += 1
            if pos >= size:
                raise _BadPatternError
            out.append(re.escape(pattern[pos]))
        else:
            out.append(re.escape(char))
        pos += 1
    if in_braces:
        raise _BadPatternError
    return "".join(out), pos


def _stars(pattern: str, pos: int) -> tuple[str, int]:
    """`*` (within a component) or `**` (across components when it is a whole component)."""
    if not pattern.startswith("**", pos):
        return "[^/]*", pos + 1
    end = pos + 2
    starts_component = pos == 0 or pattern[pos - 1] == "/"
    ends_component = end == len(pattern) or pattern[end] == "/"
    if not (starts_component and ends_component):
        return "[^/]*", end
    if end < len(pattern):  # `**/`: zero or more directories
        return "(?:.*/)?", end + 1
    return ".*", end


def _char_class(pattern: str, pos: int) -> tuple[str, int]:
    end = pos + 1
    negate = end < len(pattern) and pattern[end] in "^!"
    if negate:
        end += 1
    body: list[str] = []
    first = True
    while True:
        if end >= len(pattern):
            raise _BadPatternError
        char = pattern[end]
        if char == "]" and not first:
            break
        if char == "\\":
            end += 1
            if end >= len(pattern):
                raise _BadPatternError
            char = pattern[end]
        body.append("-" if char == "-" and not first else re.escape(char))
        first = False
        end += 1
    inner = "".join(body)
    return (f"[^/{inner}]" if negate else f"[{inner}]"), end + 1


def _braces(pattern: str, pos: int) -> tuple[str, int]:
    options: list[str] = []
    pos += 1
    while True:
        piece, pos = _translate(pattern, pos, in_braces=True)
        options.append(piece)
        if pattern[pos] == "}":
            return "(?:" + "|".join(options) + ")", pos + 1
        pos += 1  # a comma
