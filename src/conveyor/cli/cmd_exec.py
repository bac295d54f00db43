"""`conveyor exec [FILE]`: run a pipeline here, in containers, like `drone exec`.

Exit codes: 0 success, 1 the pipeline failed, 2 a configuration error (the file, a flag, a
secret), 130 interrupted (Ctrl-C, SIGTERM). Only argparse and light cli helpers are imported at
module level so that `conveyor --help` stays fast; everything else is imported inside `run`.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, TextIO

from conveyor.cli.checked_file import add_file_argument
from conveyor.cli.exec_settings import add_runner_arguments

if TYPE_CHECKING:
    import threading
    from types import TracebackType

    from conveyor.engine.contract import Engine


EPILOG = """\
exit codes: 0 success, 1 pipeline failed, 2 configuration error, 130 interrupted

examples:
  conveyor exec                                 the first pipeline of .drone.yml
  conveyor exec --pipeline test --include unit  one step of pipeline "test"
  conveyor exec --secret-file .secrets
  pass show ci/secrets | conveyor exec --secret-file -
  conveyor exec --registry-config ~/.docker/config.json \\
                --pull-policy if-not-exists
see docs/exec.md for secret files, registries and cleanup.
"""


def register(subparsers: Any) -> None:
    """Add the `exec` sub-command."""
    parser = subparsers.add_parser(
        "exec",
        help="run a pipeline locally, in containers",
        description="Run a pipeline of a Drone file here, on the local Docker engine.\n"
        "The current directory is copied into the workspace.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_file_argument(parser)
    _add_selection(parser.add_argument_group("what to run"))
    _add_values(parser.add_argument_group("secrets and environment"))
    _add_build(parser.add_argument_group("the build"))
    add_runner_arguments(parser.add_argument_group("the runner"))
    parser.set_defaults(handler=run)


def _add_selection(pick: Any) -> None:
    """--pipeline, --include, --exclude."""
    pick.add_argument("--pipeline", metavar="NAME", help="the pipeline to run (default: first)")
    pick.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="STEP",
        help="run only these steps (repeatable)",
    )
    pick.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="STEP",
        help="skip these steps (repeatable)",
    )


def _add_values(values: Any) -> None:
    """Secrets, environment and registry logins."""
    values.add_argument(
        "--secret-file",
        action="append",
        default=[],
        metavar="FILE",
        help="secrets, one NAME=VALUE per line (dotenv; repeatable; - reads standard input)",
    )
    values.add_argument(
        "--secret",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="one secret (repeatable; wins over --secret-file); the value shows in `ps` to "
        "every user of this machine: prefer --secret-file (or --secret-file - for stdin)",
    )
    values.add_argument(
        "--pull-request-secret",
        action="append",
        default=[],
        metavar="NAME",
        help="a secret that pull request builds may use (repeatable; with --event "
        "pull_request every other secret is withheld, as Drone does)",
    )
    values.add_argument(
        "--env-file",
        action="append",
        default=[],
        metavar="FILE",
        help="extra environment for every step (dotenv; repeatable)",
    )
    values.add_argument(
        "--registry-config",
        action="append",
        default=[],
        metavar="FILE",
        help="a Docker config.json with registry logins (repeatable)",
    )


def _add_build(build: Any) -> None:
    """What the build looks like (event, branch, trust)."""
    build.add_argument(
        "--trusted",
        action="store_true",
        help="allow trusted-only settings (privileged, host volumes...)",
    )
    build.add_argument("--event", default="push", help="build event (default: push)")
    build.add_argument("--branch", help="branch (default: the git branch here, else main)")
    build.add_argument("--ref", help="git ref (default: refs/heads/BRANCH)")
    build.add_argument(
        "--commit", metavar="SHA", help="commit (default: the one checked out here, if any)"
    )


def run(args: argparse.Namespace) -> int:
    """Load, lint, compile, then run on Docker; returns the exit code."""
    import sys
    import threading

    from conveyor.cli.console import is_terminal, use_color
    from conveyor.cli.exec_job import build_job
    from conveyor.cli.exec_settings import make_guard
    from conveyor.cli.output.console_sink import ConsoleSink
    from conveyor.engine.docker.backend import connect
    from conveyor.runner.dag import RunStatus
    from conveyor.runner.stage import run_stage

    job = build_job(args, sys.stderr)
    if job is None:
        return 2
    engine = connect()
    remove_dead_leftovers(engine, sys.stderr)
    sink = ConsoleSink(
        sys.stdout, sys.stderr, color=use_color(sys.stdout), live=is_terminal(sys.stdout)
    )
    guard = make_guard(args.image_cache_mode, sys.stderr, args.image_cache_max_age)
    cancel = threading.Event()
    with CancelOnSignal(cancel, sys.stderr) as signals:
        finished = run_stage(job, engine=engine, sink=sink, guard=guard, cancel=cancel)
    if signals.caught:
        return 130
    return 0 if finished.status is RunStatus.SUCCESS else 1


def remove_dead_leftovers(engine: Engine, err: TextIO) -> None:
    """Remove what runs killed hard left behind (their owner process is gone)."""
    dead = [item for item in engine.leftovers() if not item.owner_alive]
    if not dead:
        return
    warnings = engine.remove_leftovers(dead)
    runs = len({item.run_id for item in dead})
    err.write(f"conveyor: removed {len(dead)} resources left by {runs} interrupted run(s)\n")
    for warning in warnings:
        err.write(f"conveyor: warning: {warning}\n")


class CancelOnSignal:
    """While active, SIGINT and SIGTERM set `cancel` (the run stops and cleans up)."""

    def __init__(self, cancel: threading.Event, err: TextIO) -> None:
        self._cancel = cancel
        self._err = err
        self._previous: dict[int, Any] = {}
        self.caught: int | None = None

    def __enter__(self) -> CancelOnSignal:
        import signal

        for number in (signal.SIGINT, signal.SIGTERM):
            self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        import signal

        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _handle(self, number: int, frame: object) -> None:
        first = self.caught is None
        self.caught = number
        self._cancel.set()
        if first:
            self._err.write("\nconveyor: stopping the run and removing its containers...\n")
