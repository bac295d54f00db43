"""`conveyor compile [FILE] [--pipeline NAME] [--trusted] [--event E] [--branch B] [--ref R]`.

Prints the plan of one pipeline as JSON (docs/compile.md): what `conveyor exec` would run, with
secret references but no secret values. A file with errors prints its diagnostics to stderr, as
`conveyor lint` does, and exits 2. Only argparse and light cli helpers are imported at module
level.
"""

from __future__ import annotations

import argparse
from typing import Any

from conveyor.cli.checked_file import add_file_argument

EPILOG = """\
exit codes: 0 plan printed, 2 file errors, unreadable file, unknown pipeline

examples:
  conveyor compile                               first pipeline of .drone.yml
  conveyor compile ci/other.yml --pipeline test  another file, a named pipeline
  conveyor compile --event tag --ref refs/tags/v1.2.0
  conveyor compile --branch dev --event pull_request > plan.json
"""


def register(subparsers: Any) -> None:
    """Add the `compile` sub-command."""
    parser = subparsers.add_parser(
        "compile",
        help="print the plan of a pipeline as JSON (what exec would run)",
        description=(
            "Compile one pipeline of a Drone file for a build and print the plan as JSON:\n"
            "normalised images, pull policies, the script, the environment, mounts and the\n"
            "step graph. Secrets appear by name only. See docs/compile.md."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_file_argument(parser)
    parser.add_argument(
        "--pipeline", metavar="NAME", help="the pipeline to compile (default: the first)"
    )
    parser.add_argument(
        "--trusted",
        action="store_true",
        help="compile as a trusted repository: privileged, devices, host volumes... are allowed",
    )
    parser.add_argument("--event", default="push", help="the build event (default: push)")
    parser.add_argument("--branch", default="main", help="the build branch (default: main)")
    parser.add_argument("--ref", help="the git ref (default: refs/heads/BRANCH)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Compile `args.file` and print the plan; 2 when the file has errors."""
    import sys
    import time
    from pathlib import Path

    from conveyor.cli.checked_file import load_checked
    from conveyor.compiler.compile import compile_pipeline, select_pipeline
    from conveyor.compiler.context import BuildContext
    from conveyor.plan.codec import plan_to_json

    result = load_checked(Path(args.file), trusted=args.trusted, err=sys.stderr, strict=args.strict)
    if result is None:
        return 2
    ctx = BuildContext(
        event=args.event,
        branch=args.branch,
        ref=args.ref or f"refs/heads/{args.branch}",
        trusted=args.trusted,
        created=int(time.time()),
    )
    plan = compile_pipeline(select_pipeline(result.file, args.pipeline), ctx)
    sys.stdout.write(plan_to_json(plan))
    sys.stdout.flush()
    return 0
