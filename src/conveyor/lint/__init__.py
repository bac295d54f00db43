"""The lint room: every problem of a loaded pipeline file at once, sorted by position.

`lint(result, trusted=..., strict=...)` returns the loading diagnostics plus those of every
rule family (one module each); `strict` makes every warning an error. Pure: no I/O;
rendering lives in `conveyor.lint.render`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from conveyor.config.loader import LoadResult
from conveyor.lint import documents, graph, images, names, strings, trusted, values
from conveyor.source import Diagnostic, Severity
from conveyor.spec.model import ConfigFile

Rule = Callable[..., Iterable[Diagnostic]]
"""A rule family: `check(file, *, trusted)` yields diagnostics."""

RULES: tuple[Rule, ...] = (
    names.check,
    graph.check,
    images.check,
    trusted.check,
    values.check,
    strings.check,
    documents.check,
)


def lint(result: LoadResult, *, trusted: bool, strict: bool = False) -> list[Diagnostic]:
    """Loading diagnostics and every rule's diagnostics, in file order.

    A field the loader already refused (an error at its path) is not reported twice. With
    `strict`, every warning is an error (notes stay notes).
    """
    refused = {d.path for d in result.diagnostics if d.path and d.severity == Severity.ERROR}
    rules = [d for d in lint_file(result.file, trusted=trusted) if d.path not in refused]
    found = sort_diagnostics([*result.diagnostics, *rules])
    return [_escalate(d) for d in found] if strict else found


def _escalate(diagnostic: Diagnostic) -> Diagnostic:
    if diagnostic.severity != Severity.WARNING:
        return diagnostic
    return replace(diagnostic, severity=Severity.ERROR)


def lint_file(file: ConfigFile, *, trusted: bool) -> list[Diagnostic]:
    """Only the rule diagnostics of a spec (no loading diagnostics)."""
    found: list[Diagnostic] = []
    for rule in RULES:
        found.extend(rule(file, trusted=trusted))
    return found


def sort_diagnostics(found: Iterable[Diagnostic]) -> list[Diagnostic]:
    """By line, column, then code; diagnostics without a position first."""
    return sorted(
        found,
        key=lambda d: (d.span.line, d.span.column, d.code) if d.span else (0, 0, d.code),
    )
