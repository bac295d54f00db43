"""Bytes to text for the loader, and character offsets to 1-based line and column.

Only UTF-8 is accepted (a UTF-8 byte-order mark is dropped). No I/O: the caller reads the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BREAK = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")
"""YAML 1.1 line breaks, as libyaml counts lines."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Decoded:
    """The text of a file, or where and why it is not UTF-8."""

    text: str
    problem: str | None = None
    line: int = 1
    column: int = 1


def locate(text: str, index: int) -> tuple[int, int]:
    """The 1-based (line, column) of character `index` of `text`."""
    line = 1
    start = 0
    for match in _BREAK.finditer(text, 0, index):
        line += 1
        start = match.end()
    return line, index - start + 1


def decode(data: bytes) -> Decoded:
    """Decode UTF-8 `data`; on a bad byte, the text before it and the byte's position."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return Decoded(text=data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", errors="replace")
        line, column = locate(before, len(before))
        bad = data[exc.start]
        problem = f"byte 0x{bad:02x} is not valid UTF-8; save the file as UTF-8"
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            problem = "the file is UTF-16; save it as UTF-8"
        return Decoded(text=before, problem=problem, line=line, column=column)
