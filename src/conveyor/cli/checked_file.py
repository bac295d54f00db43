"""The pipeline-file argument of `lint`, `compile` and `exec`, and the lint that must pass
before `compile` or `exec` uses a file.

Diagnostics go to the error stream, as `conveyor lint` would print them; a file with errors
is never compiled or run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from conveyor.config.loader import LoadResult


DEFAULT_FILE = ".drone.yml"


def add_file_argument(parser: Any) -> None:
    """The optional FILE argument and `--strict`, which `lint`, `compile` and `exec` share."""
    parser.add_argument(
        "file",
        nargs="?",
        default=DEFAULT_FILE,
        metavar="FILE",
        help=f"the pipeline file (default: {DEFAULT_FILE})",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="treat every warning of the file as an error (notes never fail)",
    )


def load_checked(
    path: Path, *, trusted: bool, err: TextIO, strict: bool = False
) -> LoadResult | None:
    """The loaded file, or None when it has lint errors (already printed to `err`).

    With `strict`, warnings are errors too."""
    from conveyor.cli.console import use_color
    from conveyor.config.loader import load_file
    from conveyor.lint import lint
    from conveyor.lint.render import render_text
    from conveyor.source import Severity

    loaded = load_file(path)
    diagnostics = lint(loaded, trusted=trusted, strict=strict)
    if diagnostics:
        err.write(render_text(diagnostics, loaded.source, color=use_color(err)))
        err.flush()
    if any(d.severity == Severity.ERROR for d in diagnostics):
        return None
    return loaded
