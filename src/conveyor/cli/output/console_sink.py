"""`ConsoleSink`: the runner's events as text for people, on a terminal or in a CI log.

Log lines are prefixed with the step name (padded; coloured per step on a terminal only);
conveyor's own lines are marked so they stand out from step output. Writes nothing that the
runner has not already masked.
"""

from __future__ import annotations

from typing import TextIO

from conveyor.cli.output.pull_display import PullDisplay
from conveyor.cli.output.style import LONGEST_PREFIX, PALETTE, paint, seconds, short_image
from conveyor.cli.output.summary import render_summary
from conveyor.cli.output.terminal_text import clean_line, clean_message, escape_name
from conveyor.runner.dag import StepStatus
from conveyor.runner.events import (
    Event,
    ImageCached,
    LogLines,
    Notice,
    PullFinished,
    PullProgressed,
    PullStarted,
    RunFinished,
    RunStarted,
    StepFinished,
    StepStarted,
)

MARK = "--"
"""Starts conveyor's own lines inside the log (step started, finished, pulled)."""


class ConsoleSink:
    """Writes events to `out` (logs, statuses, summary) and notices to `err`."""

    def __init__(
        self, out: TextIO, err: TextIO, *, color: bool, live: bool, summary: bool = True
    ) -> None:
        self._out = out
        self._err = err
        self._color = color
        self._live = live
        self._summary = summary
        self._pulls = PullDisplay(out, live=live, color=color)
        self._prefixes: dict[str, str] = {}
        self._width = 0
        self._pipeline = ""

    def emit(self, event: Event) -> None:
        """Render one event."""
        if isinstance(event, LogLines):
            self._lines(event)
        elif isinstance(event, PullProgressed):
            self._pulls.progressed(event)
        elif isinstance(event, RunStarted):
            self._started_run(event)
        elif isinstance(event, StepFinished):
            self._finished(event)
        elif isinstance(event, RunFinished):
            self._pulls.close()
            if self._summary:
                render_summary(
                    self._out, self._pipeline, event, color=self._color, fancy=self._live
                )
        else:
            self._other(event)
        self._out.flush()

    def _other(self, event: Event) -> None:
        if isinstance(event, StepStarted):
            where = short_image(event.image)
            kind = "service" if event.kind == "service" else "detached" if event.detached else ""
            self._say(event.step, f"started {kind + ' ' if kind else ''}({where})")
        elif isinstance(event, PullStarted):
            self._pulls.started(event, self._prefix(event.step))
        elif isinstance(event, PullFinished):
            self._pulls.finished(event, self._prefix(event.step), self._write)
        elif isinstance(event, ImageCached):
            self._say(event.step, f"using cached {short_image(event.image)} (pull: {event.policy})")
        elif isinstance(event, Notice):
            self._err.write(f"conveyor: warning: {clean_message(event.message)}\n")
            self._err.flush()

    def _started_run(self, event: RunStarted) -> None:
        self._pipeline = event.pipeline
        widest = max((len(escape_name(s)) for s in event.steps), default=0)
        self._width = min(LONGEST_PREFIX, widest)
        for index, step in enumerate(event.steps):
            self._prefixes[step] = self._make_prefix(step, PALETTE[index % len(PALETTE)])
        count = f"{len(event.steps)} step" + ("" if len(event.steps) == 1 else "s")
        name = escape_name(event.pipeline)
        self._write(f'{MARK} running pipeline "{name}": {count} (run {event.run_id})')

    def _finished(self, event: StepFinished) -> None:
        result = event.result
        status = str(result.status)
        if result.status is StepStatus.SKIPPED:
            self._say(result.name, f"skipped: {result.message or ''}".rstrip(": "))
            return
        text = f"{status} in {seconds(result.seconds)}"
        if result.exit_code is not None and result.status is not StepStatus.SUCCESS:
            text += f" (exit code {result.exit_code})"
        if result.message:
            text += f": {result.message}"
        bad = result.status not in (StepStatus.SUCCESS, StepStatus.SKIPPED)
        self._say(result.name, paint(text, "31", self._color) if bad else text)

    def _lines(self, event: LogLines) -> None:
        prefix = self._prefix(event.step)
        lines = event.lines
        if not "".join(lines).isprintable():  # one C-speed test for the usual clean batch
            lines = tuple(clean_line(line, keep_colour=self._color) for line in lines)
        text = "".join([f"{prefix}{line}\n" for line in lines])
        if self._pulls.showing:
            self._pulls.write(text.removesuffix("\n"))
        else:
            self._out.write(text)

    def _say(self, step: str, text: str) -> None:
        prefix = self._prefix(step)
        lines = clean_message(text).split("\n")  # a hint line keeps the step's prefix too
        head = f"{prefix}{paint(MARK, '2', self._color)} {lines[0]}"
        self._write("\n".join([head, *(prefix + line for line in lines[1:])]))

    def _write(self, text: str) -> None:
        self._pulls.write(text)

    def _prefix(self, step: str) -> str:
        prefix = self._prefixes.get(step)
        if prefix is None:
            prefix = self._prefixes[step] = self._make_prefix(step, PALETTE[0])
        return prefix

    def _make_prefix(self, step: str, code: str) -> str:
        shown = escape_name(step)
        name = shown if len(shown) <= LONGEST_PREFIX else shown[: LONGEST_PREFIX - 1] + "~"
        return paint(name.ljust(self._width), code, self._color) + " | "
