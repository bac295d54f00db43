"""The summary table at the end of a run: step, status, duration, exit code, and why.

Drawn with rich; ASCII borders and no colour when the output is not a terminal, so that CI
logs stay readable (plain_table draws the common log case without loading rich). Messages are
already masked by the runner.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from conveyor.cli.output.plain_table import Column, plain_table
from conveyor.cli.output.style import STATUS_STYLE, seconds
from conveyor.cli.output.terminal_text import clean_line, clean_message, escape_name
from conveyor.runner.dag import RunStatus
from conveyor.runner.events import RunFinished, StepResult

VERDICT = {
    RunStatus.SUCCESS: ("succeeded", "bold green"),
    RunStatus.FAILURE: ("failed", "bold red"),
    RunStatus.KILLED: ("was stopped", "bold red"),
}
LONGEST_NOTE = 40
LONGEST_NAME = 40
COLUMNS = (
    Column(header="step", max_width=LONGEST_NAME),
    Column(header="status", min_width=7),
    Column(header="duration", right=True, min_width=8),
    Column(header="exit code", right=True, min_width=9),
    Column(header="note", max_width=LONGEST_NOTE),
)
"""Long names and notes are cut (with an ellipsis); status, duration and exit code never are."""


def render_summary(
    stream: TextIO, pipeline: str, finished: RunFinished, *, color: bool, fancy: bool
) -> None:
    """Write the table and a one-line verdict to `stream`."""
    rows = [_cells(result) for result in finished.results]
    words, style = VERDICT[finished.status]
    if finished.results and all(r.status == "skipped" for r in finished.results):
        words, style = "was skipped", "dim"  # nothing ran: neither a success nor a failure
    verdict = f'pipeline "{escape_name(pipeline)}" {words} in {seconds(finished.seconds)}'
    message = clean_message(finished.message) if finished.message else None
    lines = [verdict, message] if message else [verdict]
    width = max(100, _width(stream))
    if not color and not fancy:
        table = plain_table(COLUMNS, rows, width)
        if table is not None and all(line.isascii() and line.isprintable() for line in lines):
            stream.write(table + "".join(line + "\n" for line in lines))
            return
    _rich_summary(stream, rows, lines, style, color=color, fancy=fancy, width=width)


def _rich_summary(
    stream: TextIO,
    rows: Sequence[Sequence[str]],
    lines: Sequence[str],
    style: str,
    *,
    color: bool,
    fancy: bool,
    width: int,
) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(
        file=stream,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        width=width,
        safe_box=True,
    )
    table = Table(box=box.SIMPLE_HEAD if fancy else box.ASCII, show_edge=fancy, pad_edge=False)
    for column in COLUMNS:
        table.add_column(
            column.header,
            justify="right" if column.right else "left",
            no_wrap=True,
            overflow="ellipsis",
            min_width=column.min_width,
            max_width=column.max_width,
        )
    for name, status, duration, code, note in rows:
        styled = Text(status, style=STATUS_STYLE.get(status, ""))
        table.add_row(Text(name), styled, duration, code, Text(note))
    console.print(table)
    # soft_wrap: a long verdict or message stays one line (a log must not cut it in two).
    console.print(Text(lines[0], style=style), soft_wrap=True)
    for line in lines[1:]:
        console.print(Text(line), soft_wrap=True)


def _cells(result: StepResult) -> tuple[str, str, str, str, str]:
    name = escape_name(result.name) + (" (service)" if result.kind == "service" else "")
    name += " (detached)" if result.detached and result.kind != "service" else ""
    ran = result.status != "skipped"
    duration = seconds(result.seconds) if ran else "-"
    code = "" if result.exit_code is None else str(result.exit_code)
    note = clean_line(result.message.split("\n")[0], keep_colour=False) if result.message else ""
    if len(note) > LONGEST_NOTE:
        note = note[: LONGEST_NOTE - 3] + "..."
    return (name, str(result.status), duration, code, note)


def _width(stream: TextIO) -> int:
    import shutil

    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        return shutil.get_terminal_size((120, 24)).columns
    return 120  # a log file: wide enough for the longest name and note
