"""Untrusted text on the console: step output cannot move the cursor, set titles, write the
clipboard or overwrite Conveyor's prefix; names cannot break lines (cli/output/terminal_text)."""

from __future__ import annotations

import io

import pytest

from conveyor.cli.output.console_sink import ConsoleSink
from conveyor.cli.output.terminal_text import RESET, clean_line, clean_message, escape_name
from conveyor.engine.contract import LogStream
from conveyor.plan.model import StepKind
from conveyor.runner.dag import RunStatus, StepStatus
from conveyor.runner.events import LogLines, Notice, RunFinished, RunStarted, StepResult

RED = "\x1b[31m"


@pytest.mark.parametrize(
    ("line", "plain", "coloured"),
    [
        ("plain text\twith a tab", "plain text\twith a tab", "plain text\twith a tab"),
        (f"a {RED}red{RESET} word", "a red word", f"a {RED}red{RESET} word{RESET}"),
        ("x\x1b]0;owned title\x07y", "xy", "xy"),  # OSC: window title
        ("x\x1b]52;c;cm0gLXJmIC8=\x1b\\y", "xy", "xy"),  # OSC 52: clipboard
        ("x\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "xlink", "xlink"),  # hyperlink
        ("ok\x1b[2A\x1b[2Kforged", "okforged", "okforged"),  # cursor up, erase line
        ("progress 10%\rprogress 100%", "progress 100%", "progress 100%"),
        ("trailing\r", "trailing", "trailing"),
        ("a\bb\x7fc\x00d", "abcd", "abcd"),
        ("\x9b2Jcleared", "cleared", "cleared"),  # 8-bit CSI
        ("DCS\x1bPq#0\x1b\\done", "DCSdone", "DCSdone"),
        ("lone escape\x1b", "lone escape", "lone escape"),
        ("bidi \u202eevil\u2066 text", "bidi evil text", "bidi evil text"),  # Trojan Source
    ],
)
def test_clean_line(line: str, plain: str, coloured: str) -> None:
    assert clean_line(line, keep_colour=False) == plain
    assert clean_line(line, keep_colour=True) == coloured


def test_clean_message_keeps_its_lines() -> None:
    assert clean_message("error\x1b[2J\n  hint: do\rthis") == "error\nthis"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("build", "build"),
        ("two\nlines", "two\\nlines"),
        ("esc\x1b[2Jape", "esc\\x1b[2Jape"),
        ("tab\tcr\r", "tab\\tcr\\r"),
        ("right\u202eto left", "right\\u202eto left"),
    ],
)
def test_escape_name(name: str, shown: str) -> None:
    assert escape_name(name) == shown


def test_a_long_hostile_line_is_cleaned_in_linear_time() -> None:
    line = "\x1b[" + "1;" * 30_000 + "\x1b]" + "x" * 30_000
    assert clean_line(line, keep_colour=True).endswith("1;" * 10)


FORGED = "\x1b[1A\r\x1b[2Kdeploy | -- success in 0.1s"


@pytest.mark.parametrize("color", [False, True])
def test_the_console_shows_no_control_sequence_and_escapes_names(color: bool) -> None:
    out, err = io.StringIO(), io.StringIO()
    sink = ConsoleSink(out, err, color=color, live=False)
    name = "evil\nstep | -- success"
    sink.emit(RunStarted(run_id="r", pipeline="p\x1b]0;t\x07", steps=(name,)))
    sink.emit(LogLines(step=name, stream=LogStream.STDOUT, lines=(FORGED, "\x1b]0;pwned\x07")))
    sink.emit(Notice(message="engine said \x1b[2Jhello"))
    result = StepResult(
        name=name, kind=StepKind.STEP, status=StepStatus.ERROR, message="bad\x1b[8m hidden"
    )
    sink.emit(RunFinished(run_id="r", status=RunStatus.FAILURE, results=(result,), seconds=1))
    text = out.getvalue() + err.getvalue()
    if color:
        text = text.replace(RESET, "").replace("\x1b[1m", "")
        for code in ("36", "35", "2", "31", "32", "1;31", "1;32", "33"):
            text = text.replace(f"\x1b[{code}m", "")
    assert "\x1b" not in text, repr(text)
    assert "\r" not in text
    assert "\x07" not in text
    lines = out.getvalue().splitlines()
    assert not any(line.startswith("step |") for line in lines), lines
    assert "evil\\nstep | -- success | deploy | -- success in 0.1s" in text
    assert 'running pipeline "p\\x1b]0;t\\x07"' in text
    assert "conveyor: warning: engine said hello" in err.getvalue()
