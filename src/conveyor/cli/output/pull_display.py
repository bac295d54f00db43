"""Pull progress: per-layer bars on a terminal (rich), one concise line per pull in plain logs.

The bars live only while a pull is running; other output printed meanwhile goes above them
through `write`. Never shows credentials (events carry only where a login came from).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from conveyor.cli.output.style import seconds, short_digest, short_image
from conveyor.runner.events import PullFinished, PullProgressed, PullStarted

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

DONE_STATUSES = frozenset({"Pull complete", "Already exists"})
LAYER_STATUSES = DONE_STATUSES | {
    "Pulling fs layer",
    "Waiting",
    "Downloading",
    "Verifying Checksum",
    "Download complete",
    "Extracting",
}
"""Statuses about one layer (others, like `Pulling from x`, carry a tag in their id)."""


def pull_line(event: PullFinished) -> str:
    """`pulling 127.0.0.1:5001/x:1 ... done in 0.4s (sha256:abcd...)`, plus the login source."""
    digest = short_digest(event.digest)
    detail = f" ({digest})" if digest else ""
    login = f", credentials from {event.credential_source}" if event.credential_source else ""
    took = seconds(event.seconds)
    return f"pulling {short_image(event.image)} ... done in {took}{detail}{login}"


class PullDisplay:
    """Shows pulls; `write(text)` prints a finished line above live bars (or plainly)."""

    def __init__(self, stream: TextIO, *, live: bool, color: bool) -> None:
        self._stream = stream
        self._live = live
        self._color = color
        self._progress: Progress | None = None
        self._tasks: dict[tuple[str, str], TaskID] = {}
        self._active: dict[str, int] = {}

    @property
    def showing(self) -> bool:
        """Whether live bars are on screen (writes must go through `write`)."""
        return self._progress is not None

    def write(self, text: str) -> None:
        """Print `text` (already coloured, ends without a newline) above the bars."""
        if self._progress is not None:
            self._progress.console.out(text, highlight=False)
        else:
            self._stream.write(text + "\n")

    def started(self, event: PullStarted, prefix: str) -> None:
        """A pull began: open the bars on a terminal."""
        self._active[event.image] = self._active.get(event.image, 0) + 1
        if self._live and self._progress is None:
            self._progress = self._open()
        if self._progress is not None:
            self.write(f"{prefix}pulling {short_image(event.image)}")

    def progressed(self, event: PullProgressed) -> None:
        """Move the bar of one layer."""
        if self._progress is None or event.progress.status not in LAYER_STATUSES:
            return
        update = event.progress
        key = (event.image, update.layer)
        task = self._tasks.get(key)
        if task is None:
            name = f"  {event.image.rsplit('/', 1)[-1]} {update.layer[:12]}"
            task = self._tasks[key] = self._progress.add_task(
                name, total=update.total, status=update.status
            )
        if update.status in DONE_STATUSES:
            total = self._progress.tasks[task].total or 1
            self._progress.update(task, total=total, completed=total, status=update.status)
            return
        self._progress.update(
            task, total=update.total, completed=update.current or 0, status=update.status
        )

    def finished(self, event: PullFinished, prefix: str, emit: Callable[[str], None]) -> None:
        """A pull ended: its concise line; close the bars when no pull is left."""
        remaining = self._active.get(event.image, 1) - 1
        if remaining > 0:
            self._active[event.image] = remaining
        else:
            self._active.pop(event.image, None)
        emit(prefix + pull_line(event))
        if not self._active:
            self.close()

    def close(self) -> None:
        """Remove the bars (at the end of the run, or of the last pull)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
            self._tasks.clear()

    def _open(self) -> Progress:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
        )

        console = Console(file=self._stream, no_color=not self._color, highlight=False)
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=24),
            DownloadColumn(),
            TextColumn("{task.fields[status]}", style="dim"),
            console=console,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        progress.start()
        return progress
