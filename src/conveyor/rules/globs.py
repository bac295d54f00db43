"""Glob patterns of `when:`, `trigger:` and `${V#glob}`, matched the way Drone matches them.

Drone uses the doublestar library: `*` and `?` stop at `/`, `**` as a whole path component
crosses directories, `[...]` classes (negated by `^` or `!`), `{a,b}` alternatives and `\\`
escapes. A malformed pattern matches nothing, as in Drone. A pattern becomes an automaton that
is simulated over the value once, never backtracking: time is O(len(value) * len(pattern))
whatever the pattern. Patterns without braces use bit-parallel positions (`glob_bits`), the
others a Thompson NFA simulated state-set by state-set. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from conveyor.rules.glob_bits import BitMatcher


class _BadPatternError(Exception):
    """A pattern that doublestar refuses (an unclosed `[` or `{`)."""


@dataclass(frozen=True, slots=True)
class _Char:
    """One character: `lit` (a literal), `?` (not `/`), or a class of ranges."""

    kind: str
    ranges: tuple[tuple[str, str], ...] = ()
    negate: bool = False

    def accepts(self, char: str) -> bool:
        if self.kind == "?":
            return char != "/"
        inside = any(low <= char <= high for low, high in self.ranges)
        if self.negate:
            return not inside and char != "/"
        return inside


_NOT_SLASH = _Char("?")
_ANY = _Char("class", (("\x00", "\U0010ffff"),))
_SLASH = _Char("lit", (("/", "/"),))
_CLASSES = {"star": _NOT_SLASH, "all": _ANY, "any": _ANY, "slash": _SLASH}
"""`?`, any character, `/`; and the classes a star item loops on (for `glob_bits`)."""

_Item = tuple[str, object]
"""("char", _Char), ("star", None) `[^/]*`, ("all", None) `.*`, ("dir", None) `(?:.*/)?`,
("rdir", None) `(?:/.*)?` (a reversed "dir"), ("alt", tuple of item sequences)."""


def glob_match(pattern: str, value: str) -> bool:
    """True when `value` matches the glob `pattern` in full."""
    nfa = _compile(pattern, reverse=False)
    return nfa is not None and len(value) in nfa.ends(value)


def prefix_matches(pattern: str, value: str, *, from_end: bool = False) -> list[int]:
    """Lengths (1 or more, ascending) of the prefixes of `value` that `pattern` matches.

    With `from_end`, of its suffixes instead. One pass over `value`, as `${V#p}` needs.
    """
    nfa = _compile(pattern, reverse=from_end)
    if nfa is None:
        return []
    return [end for end in nfa.ends(value[::-1] if from_end else value) if end > 0]


@lru_cache(maxsize=256)
def _compile(pattern: str, *, reverse: bool) -> _Nfa | BitMatcher | None:
    try:
        items, _end = _parse(pattern, 0, in_braces=False)
    except _BadPatternError:
        return None
    if reverse:
        items = _reversed(items)
    if all(kind != "alt" for kind, _ in items):
        return BitMatcher(items, _CLASSES)
    nfa = _Nfa()
    nfa.start, nfa.accept = nfa.sequence(items)
    return nfa


# -- parsing ------------------------------------------------------------------------------


def _parse(pattern: str, pos: int, *, in_braces: bool) -> tuple[list[_Item], int]:
    """The items of `pattern[pos:]` up to the end, or up to `,`/`}` inside braces."""
    out: list[_Item] = []
    size = len(pattern)
    while pos < size:
        char = pattern[pos]
        if in_braces and char in ",}":
            return out, pos
        if char == "*":
            kind, pos = _stars(pattern, pos)
            if not (out and out[-1] == (kind, None)):  # `**/**/` is `**/`, `***` is `**`
                out.append((kind, None))
            continue
        if char == "[":
            piece, pos = _char_class(pattern, pos)
            out.append(("char", piece))
            continue
        if char == "{":
            options, pos = _braces(pattern, pos)
            out.append(("alt", options))
            continue
        if char == "?":
            out.append(("char", _NOT_SLASH))
        else:
            if char == "\\":
                pos += 1
                if pos >= size:
                    raise _BadPatternError
                char = pattern[pos]
            out.append(("char", _literal(char)))
        pos += 1
    if in_braces:
        raise _BadPatternError
    return out, pos


@lru_cache(maxsize=4096)
def _literal(char: str) -> _Char:
    """One object per literal character, so that equal positions share a bit mask."""
    return _Char("lit", ((char, char),))


def _stars(pattern: str, pos: int) -> tuple[str, int]:
    """`*` (within a component) or `**` (across components when it is a whole component)."""
    if not pattern.startswith("**", pos):
        return "star", pos + 1
    end = pos + 2
    starts_component = pos == 0 or pattern[pos - 1] == "/"
    ends_component = end == len(pattern) or pattern[end] == "/"
    if not (starts_component and ends_component):
        return "star", end
    if end < len(pattern):  # `**/`: zero or more directories
        return "dir", end + 1
    return "all", end


def _char_class(pattern: str, pos: int) -> tuple[_Char, int]:
    end = pos + 1
    negate = end < len(pattern) and pattern[end] in "^!"
    if negate:
        end += 1
    chars: list[str] = []
    ranges: list[tuple[str, str]] = []
    first = True
    while True:
        if end >= len(pattern):
            raise _BadPatternError
        char = pattern[end]
        if char == "]" and not first:
            break
        if char == "-" and not first and chars and end + 1 < len(pattern):
            following = pattern[end + 1]
            if following != "]":
                if following == "\\":
                    end += 1
                    following = pattern[end + 1] if end + 1 < len(pattern) else ""
                    if not following:
                        raise _BadPatternError
                ranges.append((chars.pop(), following))
                end += 2
                first = False
                continue
        if char == "\\":
            end += 1
            if end >= len(pattern):
                raise _BadPatternError
            char = pattern[end]
        chars.append(char)
        first = False
        end += 1
    ranges.extend((char, char) for char in chars)
    return _Char("class", tuple(ranges), negate), end + 1


def _braces(pattern: str, pos: int) -> tuple[tuple[list[_Item], ...], int]:
    options: list[list[_Item]] = []
    pos += 1
    while True:
        items, pos = _parse(pattern, pos, in_braces=True)
        options.append(items)
        if pattern[pos] == "}":
            return tuple(options), pos + 1
        pos += 1  # a comma


def _reversed(items: Sequence[_Item]) -> list[_Item]:
    """The items of the mirror pattern: it matches exactly the reversed strings."""
    out: list[_Item] = []
    for kind, payload in reversed(items):
        if kind == "alt":
            options: tuple[list[_Item], ...] = payload  # type: ignore[assignment]
            out.append(("alt", tuple(_reversed(option) for option in options)))
        elif kind == "dir":
            out.append(("rdir", None))
        else:
            out.append((kind, payload))
    return out


# -- the automaton ------------------------------------------------------------------------


class _Nfa:
    """States with epsilon edges and at most one character edge each."""

    def __init__(self) -> None:
        self.eps: list[list[int]] = []
        self.test: list[_Char | None] = []
        self.next: list[int] = []
        self.start = 0
        self.accept = 0

    def _state(self) -> int:
        self.eps.append([])
        self.test.append(None)
        self.next.append(-1)
        return len(self.eps) - 1

    def _edge(self, source: int, char: _Char, target: int) -> None:
        self.test[source] = char
        self.next[source] = target

    def sequence(self, items: Sequence[_Item]) -> tuple[int, int]:
        start = current = self._state()
        for item in items:
            first, last = self._item(item)
            self.eps[current].append(first)
            current = last
        return start, current

    def _item(self, item: _Item) -> tuple[int, int]:
        kind, payload = item
        start, end = self._state(), self._state()
        if kind == "char":
            self._edge(start, payload, end)  # type: ignore[arg-type]
        elif kind in ("star", "all"):
            self.eps[start].append(end)
            self._edge(start, _NOT_SLASH if kind == "star" else _ANY, start)
        elif kind == "alt":
            for option in payload:  # type: ignore[attr-defined]
                first, last = self.sequence(option)
                self.eps[start].append(first)
                self.eps[last].append(end)
        else:  # "dir": (.*/)? and "rdir": (/.*)?
            loop, slash = self._state(), self._state()
            self.eps[start].extend((end, loop if kind == "dir" else slash))
            self._edge(loop, _ANY, loop)
            if kind == "dir":
                self.eps[loop].append(slash)
                self._edge(slash, _SLASH, end)
            else:
                self._edge(slash, _SLASH, loop)
                self.eps[loop].append(end)
        return start, end

    def _closure(self, states: list[int], seen: list[int], stamp: int) -> list[int]:
        found: list[int] = []
        stack = list(states)
        while stack:
            state = stack.pop()
            if seen[state] == stamp:
                continue
            seen[state] = stamp
            found.append(state)
            stack.extend(self.eps[state])
        return found

    def ends(self, value: str) -> list[int]:
        """Every i such that the pattern matches `value[:i]`, ascending."""
        seen = [-1] * len(self.eps)
        current = self._closure([self.start], seen, 0)
        found = [0] if self.accept in current else []
        for index, char in enumerate(value, start=1):
            moved = [
                self.next[state]
                for state in current
                if (test := self.test[state]) is not None and test.accepts(char)
            ]
            if not moved:
                break
            current = self._closure(moved, seen, index)
            if seen[self.accept] == index:
                found.append(index)
        return found
