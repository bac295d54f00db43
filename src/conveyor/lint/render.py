"""Diagnostics as text (`file:line:col: error[CODE]: message`, source line, caret) or JSON.

Colour is chosen by the caller (ANSI escapes only when asked). Control characters in source
lines and messages are shown as `?` so that a file cannot drive the terminal. Pure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from conveyor.source import Diagnostic, Severity

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_WINDOW = 120
_RESET = "\x1b[0m"
_STYLE = {
    Severity.ERROR: "\x1b[1;31m",
    Severity.WARNING: "\x1b[1;33m",
    Severity.NOTE: "\x1b[1;36m",
    "bold": "\x1b[1m",
    "dim": "\x1b[2m",
    "hint": "\x1b[36m",
}


def _safe(text: str) -> str:
    return _CONTROL.sub("?", text)


def _paint(text: str, style: str, color: bool) -> str:
    return f"{_STYLE[style]}{text}{_RESET}" if color else text


def render_text(diagnostics: Sequence[Diagnostic], source: str, *, color: bool = False) -> str:
    """Every diagnostic with its source excerpt, then a count line."""
    lines = source.splitlines() if diagnostics else []
    blocks = [render_one(d, lines, color=color) for d in diagnostics]
    blocks.append(summary(diagnostics))
    return "\n".join(blocks) + "\n"


def render_one(diagnostic: Diagnostic, lines: Sequence[str], *, color: bool = False) -> str:
    """One diagnostic: headline, source line with a caret, and the hint if any."""
    where = f"{diagnostic.span}: " if diagnostic.span else ""
    head = (
        _paint(where, "bold", color)
        + _paint(f"{diagnostic.severity}[{diagnostic.code}]", diagnostic.severity, color)
        + _paint(f": {_safe(diagnostic.message)}", "bold", color)
    )
    out = [head]
    span = diagnostic.span
    if span is not None and 0 < span.line <= len(lines):
        out.extend(_excerpt(lines[span.line - 1], span.line, span.column, diagnostic, color))
    if diagnostic.hint:
        out.append(_paint(f"  hint: {_safe(diagnostic.hint)}", "hint", color))
    return "\n".join(out)


def _excerpt(line: str, number: int, column: int, diagnostic: Diagnostic, color: bool) -> list[str]:
    start = 0
    if len(line) > _WINDOW:
        start = max(0, min(column - 1 - _WINDOW // 2, len(line) - _WINDOW))
    shown = line[start : start + _WINDOW]
    lead = "..." if start > 0 else ""
    tail = "..." if start + _WINDOW < len(line) else ""
    offset = max(0, min(column - 1 - start, len(shown)))
    pad = "".join("\t" if c == "\t" else " " for c in shown[:offset])
    gutter = " " * len(str(number))
    caret = _paint("^", diagnostic.severity, color)
    return [
        _paint(f" {number} | ", "dim", color) + lead + _safe(shown) + tail,
        _paint(f" {gutter} | ", "dim", color) + " " * len(lead) + pad + caret,
    ]


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    """`2 errors, 1 warning`, and `, 3 notes` when there are notes."""
    errors = sum(1 for d in diagnostics if d.severity == Severity.ERROR)
    notes = sum(1 for d in diagnostics if d.severity == Severity.NOTE)
    warnings = len(diagnostics) - errors - notes
    line = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    return f"{line}, {_plural(notes, 'note')}" if notes else line


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def to_records(diagnostics: Sequence[Diagnostic]) -> list[dict[str, object]]:
    """The JSON records of `conveyor lint --format json` (1-based line and column)."""
    return [
        {
            "severity": str(d.severity),
            "code": d.code,
            "message": d.message,
            "file": d.span.file if d.span else None,
            "line": d.span.line if d.span else None,
            "column": d.span.column if d.span else None,
            "path": d.path,
        }
        for d in diagnostics
    ]


def render_json(diagnostics: Sequence[Diagnostic]) -> str:
    """A JSON array of diagnostic records, one per line of output."""
    return json.dumps(to_records(diagnostics), indent=2, ensure_ascii=False) + "\n"
