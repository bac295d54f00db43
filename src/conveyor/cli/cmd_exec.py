"""`conveyor exec [FILE]`: run a pipeline here, in containers, like `drone exec`.

Exit codes: 0 success, 1 the pipeline failed, 2 a configuration error (the file, a flag, a
secret), 130 interrupted (Ctrl-C, SIGTERM). Only argparse and light cli helpers are imported at
module level so that `conveyor --help` stays fast; everything else is imported inside `run`.
"""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING, Any, TextIO

from conveyor.cli.checked_file import add_file_argument
from conveyor.cli.exec_settings import add_runner_arguments

if TYPE_CHECKING:
    import threading
    from types import TracebackType

    from conveyor.engine.contract import Engine
    from conveyor.plan.model import Plan


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

    prepared = prepare(args, sys.stderr)
    if prepared is None:
        return 2
    plan, secrets, extra_env = prepared
    withheld = withheld_secrets(args, secrets)
    allowed = {name: value for name, value in secrets.items() if name not in withheld}
    return execute(args, plan, allowed, extra_env, withheld)


def withheld_secrets(args: argparse.Namespace, secrets: dict[str, str]) -> frozenset[str]:
    """The secrets a pull request build may not see: all but --pull-request-secret ones."""
    if args.event != "pull_request":
        return frozenset()
    return frozenset(name for name in secrets if name not in args.pull_request_secret)


def prepare(
    args: argparse.Namespace, err: TextIO
) -> tuple[Plan, dict[str, str], dict[str, str]] | None:
    """The plan to run, the secrets and the extra environment; None after lint errors."""
    import time
    from pathlib import Path

    from conveyor.cli.checked_file import load_checked
    from conveyor.cli.local_git import git_branch, git_commit
    from conveyor.compiler.compile import compile_pipeline, select_pipeline
    from conveyor.compiler.context import BuildContext
    from conveyor.images.policy import PullPolicy

    loaded = load_checked(Path(args.file), trusted=args.trusted, err=err)
    if loaded is None:
        return None
    cwd = Path.cwd()
    branch = args.branch or git_branch(cwd) or "main"
    context = BuildContext(
        commit=args.commit or git_commit(cwd) or "0" * 40,
        repo=f"local/{_slug(cwd.name)}",
        branch=branch,
        event=args.event,
        ref=args.ref or f"refs/heads/{branch}",
        trusted=args.trusted,
        runner_pull_default=PullPolicy(args.pull_policy),
        allowed_pull_policies=(
            frozenset(PullPolicy(p) for p in args.allow_pull_policy)
            if args.allow_pull_policy
            else None
        ),
        created=int(time.time()),
    )
    plan = compile_pipeline(select_pipeline(loaded.file, args.pipeline), context)
    plan = select_steps(plan, args.include, args.exclude)
    return plan, read_secrets(args), read_env_files(args)


def read_secrets(args: argparse.Namespace) -> dict[str, str]:
    """--secret-file files in order, then --secret values (which win)."""
    from pathlib import Path

    from conveyor.secrets.secretfile import load_secret_file, parse_secret_assignment

    secrets: dict[str, str] = {}
    for path in args.secret_file:
        secrets.update(load_secret_file(Path(path)))
    for text in args.secret:
        name, value = parse_secret_assignment(text)
        secrets[name] = value
    return secrets


def read_env_files(args: argparse.Namespace) -> dict[str, str]:
    """--env-file files in order (dotenv, like secret files)."""
    from pathlib import Path

    from conveyor.secrets.secretfile import DotenvKind, load_secret_file

    values: dict[str, str] = {}
    for path in args.env_file:
        values.update(load_secret_file(Path(path), kind=DotenvKind.ENVIRONMENT))
    return values


def execute(
    args: argparse.Namespace,
    plan: Plan,
    secrets: dict[str, str],
    extra_env: dict[str, str],
    withheld: frozenset[str] = frozenset(),
) -> int:
    """Run `plan` on the local Docker engine with console output; the exit code."""
    import sys
    from pathlib import Path

    from conveyor.cli.console import is_terminal, use_color
    from conveyor.cli.exec_settings import credential_factory, make_guard
    from conveyor.cli.output.console_sink import ConsoleSink
    from conveyor.engine.docker_backend import connect
    from conveyor.runner.dag import RunStatus
    from conveyor.runner.executor import Executor, RunOptions
    from conveyor.runner.run_loop import Limits

    engine = connect()
    remove_dead_leftovers(engine, sys.stderr)
    color = use_color(sys.stdout)
    live = is_terminal(sys.stdout)
    sink = ConsoleSink(sys.stdout, sys.stderr, color=color, live=live)
    executor = Executor(
        engine,
        sink=sink,
        guard=make_guard(args.image_cache_mode, sys.stderr, args.image_cache_max_age),
        credentials=credential_factory(args, f"local/{_slug(Path.cwd().name)}"),
    )
    options = RunOptions(
        parallel=args.parallel,
        limits=Limits(step_timeout=args.step_timeout, run_timeout=args.timeout),
        workspace_source=Path.cwd(),
        workspace_exclude=tuple(
            Path(p) for p in (*args.secret_file, *args.env_file, *args.registry_config)
        ),
        registry_config_files=tuple(Path(p) for p in args.registry_config),
        extra_env=extra_env,
        withheld_secrets=withheld,
    )
    with CancelOnSignal(executor.cancel, sys.stderr) as signals:
        finished = executor.run(plan, secrets, options)
    if signals.caught:
        return 130
    return 0 if finished.status is RunStatus.SUCCESS else 1


def select_steps(plan: Plan, include: list[str], exclude: list[str]) -> Plan:
    """`--include`/`--exclude` as skip reasons on the plan's steps (services always run)."""
    from dataclasses import replace

    from conveyor.errors import UsageError
    from conveyor.plan.model import StepKind

    names = [step.name for step in plan.steps if step.kind is StepKind.STEP]
    unknown = [name for name in (*include, *exclude) if name not in names]
    if unknown:
        raise UsageError(
            f"no step named {', '.join(map(repr, unknown))} in pipeline {plan.pipeline!r}; "
            f"steps: {', '.join(names) or 'none'}"
        )
    steps = []
    for step in plan.steps:
        reason = None
        if step.kind is StepKind.STEP and include and step.name not in include:
            reason = "not selected by --include"
        if step.name in exclude:
            reason = "excluded by --exclude"
        steps.append(replace(step, skip_reason=reason) if reason else step)
    return replace(plan, steps=tuple(steps))


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", name.lower(), flags=re.ASCII).strip("-") or "workspace"


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
