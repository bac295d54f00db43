"""Drone's `${...}` substitution of build variables in the pipeline, before anything else.

Drone expands `${NAME}` expressions in the whole configuration with the build's variables
(repository, commit, build, stage) and its bash-like string operations, as its `envsubst`
library does: `${#V}`, `${V^}`, `${V^^}`, `${V,}`, `${V,,}`, `${V:pos}`, `${V:pos:len}`,
`${V#glob}`, `${V##glob}`, `${V%glob}`, `${V%%glob}`, `${V/old/new}`, `${V//old/new}`,
`${V/#old/new}`, `${V/%old/new}` and the defaults `${V=d}`, `${V:=d}`, `${V:-d}`. An
unknown variable is empty, `$$` is one literal `$` (so `$${HOME}` reaches the shell as
`${HOME}`), and `$NAME` without braces is left alone. Pure: a malformed expression raises
`BadSubstitutionError`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from conveyor.rules.globs import prefix_matches

Lookup = Callable[[str], str]


class BadSubstitutionError(Exception):
    """A `${` that does not start a well-formed expression."""


_IDENT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
_DEFAULTS = ("=", ":=", ":-", ":?", ":+")


def substitute(text: str, variables: Mapping[str, str]) -> str:
    """`text` with every `${...}` expanded from `variables` and `$$` unescaped."""
    if "$" not in text:
        return text

    def lookup(name: str) -> str:
        value = variables.get(name, "")
        # Drone quotes a value that spans lines so that the YAML around it stays valid.
        return json.dumps(value, ensure_ascii=False) if "\n" in value else value

    out, _ = _Parser(text, lookup).text(stop="")
    return out


class _Parser:
    def __init__(self, text: str, lookup: Lookup) -> None:
        self.src = text
        self.pos = 0
        self.lookup = lookup

    def text(self, stop: str, *, escapes: bool = False) -> tuple[str, str]:
        """Literal text and expressions up to a character of `stop` (returned) or the end."""
        out: list[str] = []
        src = self.src
        while self.pos < len(src):
            char = src[self.pos]
            if char in stop:
                return "".join(out), char
            if char == "$" and src.startswith("$$", self.pos):
                out.append("$")
                self.pos += 2
            elif char == "$" and src.startswith("${", self.pos):
                self.pos += 2
                out.append(self.expression())
            elif escapes and char == "\\" and self.pos + 1 < len(src):
                out.append(src[self.pos + 1])
                self.pos += 2
            else:
                out.append(char)
                self.pos += 1
        if stop:
            raise BadSubstitutionError
        return "".join(out), ""

    def name(self) -> str:
        start = self.pos
        while self.pos < len(self.src) and self.src[self.pos] in _IDENT:
            self.pos += 1
        if self.pos == start:
            raise BadSubstitutionError
        return self.src[start : self.pos]

    def take(self, *options: str) -> str:
        """The longest of `options` found at the current position ("" when none is)."""
        for option in sorted(options, key=len, reverse=True):
            if self.src.startswith(option, self.pos):
                self.pos += len(option)
                return option
        return ""

    def close(self) -> None:
        if not self.take("}"):
            raise BadSubstitutionError

    def expression(self) -> str:
        """After `${`: the expanded value of one expression, its `}` consumed."""
        if self.take("#"):
            value = self.lookup(self.name())
            self.close()
            return str(len(value.encode()))
        value = self.lookup(self.name())
        operator = self.take(*_DEFAULTS, ":", ",,", ",", "^^", "^", "//", "/#", "/%", "/")
        operator = operator or self.take("##", "#", "%%", "%")
        if not operator:
            self.close()
            return value
        if operator in _DEFAULTS:
            default, _ = self.text(stop="}")
            self.close()
            return value or default
        if operator in (",", ",,", "^", "^^"):
            self.close()
            return _case(value, operator)
        if operator == ":":
            return self._substring(value)
        if operator.startswith("/"):
            return self._replace(value, operator)
        pattern, _ = self.text(stop="}")
        self.close()
        return _trim(value, pattern, operator)

    def _substring(self, value: str) -> str:
        start, found = self.text(stop=":}")
        length = None
        if found == ":":
            self.pos += 1
            length, _ = self.text(stop="}")
        self.close()
        return _substring(value, start, length)

    def _replace(self, value: str, operator: str) -> str:
        old, found = self.text(stop="/}", escapes=True)
        if found != "/":
            raise BadSubstitutionError
        self.pos += 1
        new, _ = self.text(stop="}", escapes=True)
        self.close()
        if operator == "/#":
            return new + value[len(old) :] if value.startswith(old) else value
        if operator == "/%":
            return value[: len(value) - len(old)] + new if value.endswith(old) else value
        return value.replace(old, new, -1 if operator == "//" else 1)


def _case(value: str, operator: str) -> str:
    if operator == "^^":
        return value.upper()
    if operator == ",,":
        return value.lower()
    first = value[:1].upper() if operator == "^" else value[:1].lower()
    return first + value[1:]


def _substring(value: str, start_text: str, length_text: str | None) -> str:
    try:
        start = int(start_text)
    except ValueError:
        return value  # as bash, an unreadable offset keeps the value
    if start < 0:
        start = max(0, len(value) + start)
    if length_text is None:
        return value[start:]
    try:
        length = int(length_text)
    except ValueError:
        return value
    return value[start:] if start + length >= len(value) else value[start : start + length]


def _trim(value: str, pattern: str, operator: str) -> str:
    """`#`/`##` strip the shortest/longest matching prefix; `%`/`%%` the same from the end."""
    from_end = operator.startswith("%")
    lengths = prefix_matches(pattern, value, from_end=from_end)
    if not lengths:
        return value
    cut = lengths[-1] if operator in ("##", "%%") else lengths[0]
    return value[: len(value) - cut] if from_end else value[cut:]
