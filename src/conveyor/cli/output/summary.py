"""The summary table at the end of a run: step, status, duration, exit code, and why.

Drawn with rich; ASCII borders and no colour when the output is not a terminal, so that CI
logs stay readable. Messages are already masked by the runner.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

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


def render_summary(
    stream: TextIO, pipeline: str, finished: RunFinished, *, color: bool, fancy: bool
) -> None:
    """Write the table and a one-line verdict to `stream`."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(
        file=stream,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        width=max(100, _width(stream)),
        safe_box=True,
    )
    table = Table(box=box.SIMPLE_HEAD if fancy else box.ASCII, show_edge=fancy, pad_edge=False)
    # Long names and notes are cut (with an ellipsis); status, duration and exit code never are.
    table.add_column("step", no_wrap=True, overflow="ellipsis", max_width=LONGEST_NAME)
    table.add_column("status", no_wrap=True, min_width=7)
    table.add_column("duration", justify="right", no_wrap=True, min_width=8)
    table.add_column("exit code", justify="right", no_wrap=True, min_width=9)
    table.add_column("note", overflow="ellipsis", no_wrap=True, max_width=LONGEST_NOTE)
    for result in finished.results:
        table.add_row(*_cells(result))
    console.print(table)
    words, style = VERDICT[finished.status]
    if finished.results and all(r.status == "skipped" for r in finished.results):
        words, style = "was skipped", "dim"  # nothing ran: neither a success nor a failure
    took = seconds(finished.seconds)
    verdict = Text(f'pipeline "{escape_name(pipeline)}" {words} in {took}', style=style)
    # soft_wrap: a long verdict or message stays one line (a log must not cut it in two).
    console.print(verdict, soft_wrap=True)
    if finished.message:
        console.print(Text(clean_message(finished.message)), soft_wrap=True)


def _cells(result: StepResult) -> Sequence[Any]:
    from rich.text import Text

    name = escape_name(result.name) + (" (service)" if result.kind == "service" else "")
    name += " (detached)" if result.detached and result.kind != "service" else ""
    status = Text(str(result.status), style=STATUS_STYLE.get(str(result.status), ""))
    ran = result.status != "skipped"
    duration = seconds(result.seconds) if ran else "-"
    code = "" if result.exit_code is None else str(result.exit_code)
    note = clean_line(result.message.split("\n")[0], keep_colour=False) if result.message else ""
    if len(note) > LONGEST_NOTE:
        note = note[: LONGEST_NOTE - 3] + "..."
    return (Text(name), status, duration, code, Text(note))


def _width(stream: TextIO) -> int:
    import shutil

    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        return shutil.get_terminal_size((120, 24)).columns
    return 120  # a log file: wide enough for the longest name and note
