"""`conveyor lint [FILE] [--trusted] [--format text|json]`: every problem of a pipeline file.

Exit 0 without errors (warnings allowed), 1 with errors, 2 when the file cannot be read. Only
argparse and light cli helpers are imported at module level so that `conveyor --help` stays
fast.
"""

from __future__ import annotations

import argparse
from typing import Any

from conveyor.cli.checked_file import add_file_argument

EPILOG = """\
exit codes: 0 no error (warnings and notes allowed), 1 errors (and warnings with
            --strict), 2 unreadable file, bad flag

examples:
  conveyor lint                       lint .drone.yml in the current directory
  conveyor lint ci/pipeline.yml       another file
  conveyor lint --trusted             as a trusted repository
  conveyor lint --strict              warnings fail too (exit 1)
  conveyor lint --format json         for editors and other tools
"""


def register(subparsers: Any) -> None:
    """Add the `lint` sub-command."""
    parser = subparsers.add_parser(
        "lint",
        help="check a pipeline file and report every problem at once",
        description=(
            "Check a Drone pipeline file and report every problem at once, each with\n"
            "file:line:col, a stable code (see docs/lint.md) and what to change."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_file_argument(parser)
    parser.add_argument(
        "--trusted",
        action="store_true",
        help="lint as a trusted repository: privileged, devices, host volumes... are allowed",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for people (default), json for tools",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Lint `args.file`; print diagnostics to stdout; return the exit code."""
    import sys
    from pathlib import Path

    from conveyor.cli.console import use_color
    from conveyor.config.loader import load_file
    from conveyor.lint import lint
    from conveyor.lint.render import render_json, render_text
    from conveyor.source import Severity

    result = load_file(Path(args.file))
    diagnostics = lint(result, trusted=args.trusted, strict=args.strict)
    if args.format == "json":
        sys.stdout.write(render_json(diagnostics))
    else:
        sys.stdout.write(render_text(diagnostics, result.source, color=use_color(sys.stdout)))
    sys.stdout.flush()
    return 1 if any(d.severity == Severity.ERROR for d in diagnostics) else 0
