"""Read secrets from a dotenv file (`--secret-file`, `-` for standard input) and from
`--secret NAME=VALUE`; `--env-file` files use the same reader with their own words.

The only I/O is reading the one file it is given. Errors are `SecretError`s that point at
`file:line:col` and never quote a value. The format is documented in docs/secrets.md.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from conveyor.errors import SecretError
from conveyor.source import Span

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*", re.ASCII)
"""A secret name as `from_secret` and `image_pull_secrets` refer to it."""

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$"}
"""Escapes understood inside double quotes; any other backslash is kept as written."""


class DotenvKind(StrEnum):
    """What a dotenv file holds; its messages name it ("secret file" or "environment file")."""

    SECRETS = "secret"
    ENVIRONMENT = "environment"

    @property
    def file(self) -> str:
        return f"{self.value} file"

    @property
    def entry(self) -> str:
        return "secret" if self is DotenvKind.SECRETS else "variable"


STDIN = "-"
"""The file name that means standard input (`--secret-file -`)."""


@dataclass(slots=True)
class _Cursor:
    """A position in the text, with the 1-based line and column of each offset."""

    text: str
    file: str
    pos: int = 0

    def span(self, offset: int | None = None) -> Span:
        at = self.pos if offset is None else offset
        line = self.text.count("\n", 0, at) + 1
        column = at - (self.text.rfind("\n", 0, at) + 1) + 1
        return Span(file=self.file, line=line, column=column)

    def fail(self, message: str, offset: int | None = None, hint: str | None = None) -> SecretError:
        return SecretError(message, span=self.span(offset), hint=hint)

    def line_end(self) -> int:
        end = self.text.find("\n", self.pos)
        return len(self.text) if end == -1 else end


def load_secret_file(path: Path, *, kind: DotenvKind = DotenvKind.SECRETS) -> dict[str, str]:
    """The entries of a dotenv file (`-`: standard input), by name; raises SecretError
    (file:line:col, never a value)."""
    try:
        raw = sys.stdin.buffer.read() if str(path) == STDIN else path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SecretError(
            f"cannot read {kind.file} {path}: {reason.lower()}; check the path."
        ) from None
    name = "<stdin>" if str(path) == STDIN else str(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        cursor = _Cursor(raw[: exc.start].decode("utf-8", "replace"), name)
        raise cursor.fail(
            f"the {kind.file} is not UTF-8 text; save it as UTF-8.", len(cursor.text)
        ) from None
    return parse_secret_text(text, name, kind=kind)


def parse_secret_text(
    text: str, filename: str, *, kind: DotenvKind = DotenvKind.SECRETS
) -> dict[str, str]:
    """The entries of dotenv `text` read from `filename` (used in error positions)."""
    cursor = _Cursor(text.replace("\r\n", "\n"), filename)
    secrets: dict[str, str] = {}
    starts: dict[str, int] = {}
    while cursor.pos < len(cursor.text):
        _skip_blank(cursor)
        if cursor.pos >= len(cursor.text):
            break
        if cursor.text.startswith("#", cursor.pos):
            cursor.pos = cursor.line_end()
            continue
        start = cursor.pos
        name, value = _assignment(cursor, kind)
        if name in secrets:
            raise cursor.fail(
                f"{kind.entry} {name} is already defined on line "
                f"{cursor.span(starts[name]).line}; keep only one.",
                start,
            )
        if "\x00" in value:
            raise cursor.fail(
                f"the value of {kind.entry} {name} holds a NUL byte, which no environment "
                "variable can carry; remove it.",
                cursor.text.find("\x00", start),
            )
        secrets[name] = value
        starts[name] = start
    return secrets


def parse_secret_assignment(text: str) -> tuple[str, str]:
    """`NAME=VALUE` of `--secret` as (name, value); the value is taken literally."""
    name, sep, value = text.partition("=")
    if not sep:
        raise SecretError(
            "--secret expects NAME=VALUE; add '=' and the value after the name.",
            hint="use --secret-file for values with line breaks.",
        )
    if not NAME.fullmatch(name):
        raise SecretError(f"--secret: {_name_problem(name, DotenvKind.SECRETS)}")
    return name, value


def _skip_blank(cursor: _Cursor) -> None:
    text = cursor.text
    while cursor.pos < len(text) and text[cursor.pos] in " \t\n":
        cursor.pos += 1


def _assignment(cursor: _Cursor, kind: DotenvKind) -> tuple[str, str]:
    """`[export ]NAME=VALUE` at the cursor; leaves the cursor after the line."""
    text = cursor.text
    if text.startswith("export ", cursor.pos) or text.startswith("export\t", cursor.pos):
        cursor.pos += len("export ")
        while cursor.pos < len(text) and text[cursor.pos] in " \t":
            cursor.pos += 1
    start = cursor.pos
    end = cursor.line_end()
    equals = text.find("=", start, end)
    if equals == -1:
        raise cursor.fail("expected NAME=VALUE on this line; add '=' after the name.", start)
    name = text[start:equals].rstrip(" \t")
    if not NAME.fullmatch(name):
        raise cursor.fail(_name_problem(name, kind), start)
    cursor.pos = equals + 1
    while cursor.pos < end and text[cursor.pos] in " \t":
        cursor.pos += 1
    return name, _value(cursor, name, blank_before=cursor.pos > equals + 1)


def _name_problem(name: str, kind: DotenvKind) -> str:
    # The text before '=' is not quoted back: in a broken file it may be part of a value.
    if not name:
        return f"a {kind.entry} name is missing before '='; write NAME=VALUE."
    return (
        f"the text before '=' is not a valid {kind.entry} name; use letters, digits and '_' "
        "(and '.' or '-' after the first character)."
    )


def _value(cursor: _Cursor, name: str, *, blank_before: bool) -> str:
    quote = cursor.text[cursor.pos] if cursor.pos < len(cursor.text) else ""
    if quote in ("'", '"'):
        value = _quoted(cursor, name, quote)
        _line_rest(cursor, name)
        return value
    end = cursor.line_end()
    raw = cursor.text[cursor.pos : end]
    cursor.pos = end
    if raw.startswith(("{", "[")):
        return raw.rstrip(" \t")  # one-line JSON is kept whole, `#` and all
    if blank_before and raw.startswith("#"):
        return ""  # `NAME= # comment`
    comment = re.search(r"[ \t]#", raw)
    if comment:
        raw = raw[: comment.start()]
    return raw.rstrip(" \t")


def _quoted(cursor: _Cursor, name: str, quote: str) -> str:
    """A quoted value, which may span lines; `'` is literal, `"` understands escapes."""
    text = cursor.text
    opening = cursor.pos
    pos = opening + 1
    pieces: list[str] = []
    while True:
        stop = _next_stop(text, pos, quote)
        if stop == -1:
            raise cursor.fail(
                f"the quoted value of {name} is never closed; add the closing {quote}.",
                opening,
            )
        pieces.append(text[pos:stop])
        if text[stop] == quote:
            cursor.pos = stop + 1
            return "".join(pieces)
        escaped = text[stop + 1 : stop + 2]  # a backslash inside double quotes
        pieces.append(_ESCAPES.get(escaped, "\\" + escaped))
        pos = stop + 2


def _next_stop(text: str, pos: int, quote: str) -> int:
    """The next closing quote, or (inside double quotes) the next backslash."""
    close = text.find(quote, pos)
    if quote == "'":
        return close
    backslash = text.find("\\", pos)
    if backslash != -1 and (close == -1 or backslash < close):
        return backslash
    return close


def _line_rest(cursor: _Cursor, name: str) -> None:
    """After a closing quote only blanks and a `# comment` may follow on the line."""
    end = cursor.line_end()
    rest = cursor.text[cursor.pos : end]
    stripped = rest.lstrip(" \t")
    if stripped and not stripped.startswith("#"):
        raise cursor.fail(
            f"unexpected text after the closing quote of {name}; "
            "put the whole value inside the quotes.",
            cursor.pos + len(rest) - len(stripped),
        )
    cursor.pos = end
