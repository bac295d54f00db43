"""Positions in user files (`Span`) and the diagnostics attached to them.

Pure data: no I/O. Rendering a diagnostic with its source line lives in
`conveyor.lint.render`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """A 1-based line and column in a named file."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Severity(StrEnum):
    """How bad a diagnostic is; only errors make `conveyor lint` fail (warnings too with
    `--strict`). A note is information that never fails, even with `--strict`."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    """One problem found in a file: a stable code, one sentence, where it is."""

    severity: Severity
    code: str
    message: str
    span: Span | None
    path: str = ""
    hint: str | None = None

    def headline(self) -> str:
        """`file:line:col: error[E001]: message` (without the source excerpt)."""
        where = f"{self.span}: " if self.span else ""
        return f"{where}{self.severity}[{self.code}]: {self.message}"
