"""The stable diagnostic codes of loading (E0xx, W0xx, N0xx) and a helper to build diagnostics.

Codes never change meaning once published in docs/lint.md; retired codes are not reused.
Lint rule codes (E1xx, W1xx) live in `conveyor.lint.codes`. Pure data, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from conveyor.source import Diagnostic, Severity, Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Code:
    """A stable diagnostic code, its severity and a short title for the docs table."""

    code: str
    severity: Severity
    title: str

    def at(
        self, span: Span | None, message: str, *, path: str = "", hint: str | None = None
    ) -> Diagnostic:
        """A diagnostic of this code at `span`."""
        return Diagnostic(
            severity=self.severity, code=self.code, message=message, span=span, path=path, hint=hint
        )


def error_code(code: str, title: str) -> Code:
    """An error code with its one-line title (for docs/lint.md)."""
    return Code(code=code, severity=Severity.ERROR, title=title)


def warning_code(code: str, title: str) -> Code:
    """A warning code with its one-line title (for docs/lint.md)."""
    return Code(code=code, severity=Severity.WARNING, title=title)


def note_code(code: str, title: str) -> Code:
    """A note code (information, never a failure) with its one-line title."""
    return Code(code=code, severity=Severity.NOTE, title=title)


YAML_SYNTAX = error_code("E001", "YAML syntax error")
NOT_UTF8 = error_code("E002", "file is not UTF-8 or holds characters YAML forbids")
TAB_INDENT = error_code("E003", "tab character used for indentation")
TOO_DEEP = error_code("E005", "nesting deeper than the limit")
ALIAS_BOMB = error_code("E006", "aliases expand to too many nodes (YAML bomb)")
BAD_ALIAS = error_code("E007", "undefined or self-referencing alias")
TOO_LARGE = error_code("E008", "file larger than the limit")
EMPTY_FILE = error_code("E009", "file holds no YAML document")
NOT_A_MAPPING_DOC = error_code("E010", "document is not a mapping")
UNKNOWN_KIND = error_code("E011", "missing or unknown `kind`")
WRONG_TYPE = error_code("E013", "value of the wrong type")
BAD_MERGE = error_code("E014", "merge key `<<` not given a mapping")
BAD_VALUE = error_code("E015", "value out of range or malformed")
MISSING_KEY = error_code("E016", "required key missing")
TOO_MANY = error_code("E017", "too many problems, errors among those not shown")

UNKNOWN_KEY = warning_code("W001", "unknown key (with a did-you-mean suggestion)")
IGNORED_KEY = warning_code("W002", "Drone key that Conveyor accepts and ignores")
TOO_MANY_WARNINGS = warning_code("W003", "too many problems, only warnings among those not shown")
DUPLICATE_KEY = warning_code(
    "W004", "key written twice in a mapping (the last one wins, as in Drone)"
)

OTHER_RUNNER = note_code("N001", "pipeline of another type (kubernetes, exec...): not checked here")

RETIRED = ("E004", "E012")
"""Codes no longer printed (E004 became W004, E012 became N001); never reused."""

ALL: tuple[Code, ...] = (
    YAML_SYNTAX,
    NOT_UTF8,
    TAB_INDENT,
    TOO_DEEP,
    ALIAS_BOMB,
    BAD_ALIAS,
    TOO_LARGE,
    EMPTY_FILE,
    NOT_A_MAPPING_DOC,
    UNKNOWN_KIND,
    WRONG_TYPE,
    BAD_MERGE,
    BAD_VALUE,
    MISSING_KEY,
    TOO_MANY,
    UNKNOWN_KEY,
    IGNORED_KEY,
    TOO_MANY_WARNINGS,
    DUPLICATE_KEY,
    OTHER_RUNNER,
)
"""Every loading code, in the order of the docs table."""
