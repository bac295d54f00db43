"""`conveyor prune [--all] [--dry-run]`: remove containers, networks and volumes of dead runs.

A run's resources carry its owner's pid; when that process is gone (killed hard), they are
leftovers. `--all` also removes those of runs still going. Exit 0, or 1 if some removal failed.
Only argparse is imported at module level so that `conveyor --help` stays fast.
"""

from __future__ import annotations

import argparse
from typing import Any

EPILOG = """\
exit codes: 0 done (or nothing to prune), 1 some removal failed

examples:
  conveyor prune --dry-run     list leftovers of dead runs
  conveyor prune               remove them
  conveyor prune --all         also those of runs still going (stops them!)
"""


def register(subparsers: Any) -> None:
    """Add the `prune` sub-command."""
    parser = subparsers.add_parser(
        "prune",
        help="remove what interrupted runs left behind",
        description=(
            "Remove the containers, networks and volumes of Conveyor runs whose process is\n"
            "gone (for example after kill -9). `conveyor exec` does this on start too."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="also remove the resources of runs still going on this host (stops them)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="list what would be removed, remove nothing"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """List the leftovers, remove them, say what was done."""
    import sys

    from conveyor.engine.docker.backend import connect

    engine = connect()
    found = [item for item in engine.leftovers() if args.all or not item.owner_alive]
    if not found:
        sys.stdout.write("nothing to prune\n")
        return 0
    for item in found:
        state = "" if not item.owner_alive else " (run still going)"
        sys.stdout.write(f"{item.kind} {item.name} of run {item.run_id}{state}\n")
    if args.dry_run:
        sys.stdout.write(f"{len(found)} resources would be removed (dry run)\n")
        return 0
    warnings = engine.remove_leftovers(found)
    for warning in warnings:
        sys.stderr.write(f"conveyor: warning: {warning}\n")
    runs = len({item.run_id for item in found})
    sys.stdout.write(f"removed {len(found) - len(warnings)} resources of {runs} run(s)\n")
    return 1 if warnings else 0
