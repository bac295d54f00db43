"""Text and JSON rendering of diagnostics: headline, source line, caret, hint, count line."""

from __future__ import annotations

import json

import pytest

from conveyor.lint.render import render_json, render_one, render_text, summary
from conveyor.source import Diagnostic, Severity, Span


def _diag(
    line: int = 2,
    column: int = 10,
    *,
    severity: Severity = Severity.ERROR,
    message: str = "bad image",
    hint: str | None = None,
) -> Diagnostic:
    return Diagnostic(
        severity=severity,
        code="E121" if severity == Severity.ERROR else "W001",
        message=message,
        span=Span(file="f.yml", line=line, column=column),
        path="steps[0].image",
        hint=hint,
    )


SOURCE = "steps:\n  image: Golang\n"


def test_headline_source_line_and_caret() -> None:
    text = render_one(_diag(), SOURCE.splitlines())
    assert text.splitlines() == [
        "f.yml:2:10: error[E121]: bad image",
        " 2 |   image: Golang",
        "   |          ^",
    ]


def test_hint_line() -> None:
    text = render_one(_diag(hint="use lower case"), SOURCE.splitlines())
    assert text.splitlines()[-1] == "  hint: use lower case"


def test_caret_keeps_tabs_for_alignment() -> None:
    text = render_one(_diag(line=1, column=3), ["\t\tx"])
    assert text.splitlines()[-1] == "   | \t\t^"


def test_long_lines_are_windowed_around_the_caret() -> None:
    line = "a" * 5000 + "X" + "b" * 5000
    text = render_one(_diag(line=1, column=5001), [line])
    shown, caret = text.splitlines()[1:3]
    assert len(shown) < 200
    assert shown.startswith(" 1 | ...")
    assert shown.endswith("...")
    assert shown[caret.index("^")] == "X"


def test_control_characters_cannot_reach_the_terminal() -> None:
    text = render_one(_diag(line=1, column=1, message="key '\x1b[31m'"), ["a\x1b[2Jb"])
    assert "\x1b" not in text


def test_no_source_line_when_out_of_range() -> None:
    assert render_one(_diag(line=9), SOURCE.splitlines()) == "f.yml:9:10: error[E121]: bad image"


def test_colour_only_when_asked() -> None:
    plain = render_text([_diag()], SOURCE, color=False)
    coloured = render_text([_diag()], SOURCE, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[1;31m" in coloured


@pytest.mark.parametrize(
    ("severities", "expected"),
    [
        ([], "0 errors, 0 warnings"),
        ([Severity.ERROR], "1 error, 0 warnings"),
        ([Severity.ERROR, Severity.ERROR, Severity.WARNING], "2 errors, 1 warning"),
        ([Severity.WARNING, Severity.WARNING], "0 errors, 2 warnings"),
    ],
)
def test_summary(severities: list[Severity], expected: str) -> None:
    assert summary([_diag(severity=s) for s in severities]) == expected
    assert render_text([_diag(severity=s) for s in severities], SOURCE).endswith(expected + "\n")


def test_json_records() -> None:
    no_span = Diagnostic(severity=Severity.WARNING, code="W001", message="m", span=None)
    records = json.loads(render_json([_diag(), no_span]))
    assert records == [
        {
            "severity": "error",
            "code": "E121",
            "message": "bad image",
            "file": "f.yml",
            "line": 2,
            "column": 10,
            "path": "steps[0].image",
        },
        {
            "severity": "warning",
            "code": "W001",
            "message": "m",
            "file": None,
            "line": None,
            "column": None,
            "path": "",
        },
    ]
