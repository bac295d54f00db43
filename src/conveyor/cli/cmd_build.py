"""`conveyor build create|ls|info|logs|cancel|restart|approve|decline` against a server.

`create` and `restart` print the new build's number (a script can capture it). Only argparse and
light cli helpers are imported at module level.
"""

from __future__ import annotations

import argparse
from typing import Any

from conveyor.cli.client_args import (
    add_connection,
    client_of,
    command_group,
    show,
    show_one,
    slug_of,
    sub_parser,
)

BUILD_FIELDS = [
    "number",
    "status",
    "event",
    "action",
    "ref",
    "source",
    "target",
    "after",
    "message",
    "author_login",
    "sender",
    "link",
    "error",
    "created",
    "started",
    "finished",
]

EPILOG = """\
examples:
  conveyor build create acme/app                  the default branch's head
  conveyor build create acme/app --branch dev --param DEPLOY=staging
  NUMBER=$(conveyor build create acme/app --commit 9f1c2b3a...)
  conveyor build ls acme/app --branch main --limit 10
  conveyor build info acme/app 42
  conveyor build logs acme/app 42                 every step's log
  conveyor build logs acme/app 42 1 2             stage 1, step 2
  conveyor build logs acme/app 42 1 2 --follow    the same, live until it ends
  conveyor build cancel acme/app 42
  conveyor build restart acme/app 42
  conveyor build approve acme/app 42 2
"""


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def register(subparsers: Any) -> None:
    """Add the `build` command group."""
    sub = command_group(
        subparsers,
        "build",
        "start, list, follow and stop builds on a server",
        "Builds of a repository on a Conveyor server.",
        EPILOG,
    )

    create = sub_parser(sub, "create", "start a build (prints its number)", EPILOG)
    create.add_argument("repo", metavar="OWNER/NAME")
    create.add_argument("--branch", help="the branch (default: the repository's)")
    create.add_argument("--commit", metavar="SHA", help="the commit (default: the branch head)")
    create.add_argument(
        "--param", action="append", default=[], metavar="KEY=VALUE", help="a build parameter"
    )
    add_connection(create)
    create.set_defaults(handler=run_create)

    ls = sub_parser(sub, "ls", "list builds, newest first", EPILOG)
    ls.add_argument("repo", metavar="OWNER/NAME")
    ls.add_argument("--branch", help="only this branch")
    ls.add_argument("--page", type=_positive, default=1, help="the page (default: 1)")
    ls.add_argument("--limit", type=_positive, default=25, help="per page (default: 25)")
    add_connection(ls)
    ls.set_defaults(handler=run_ls)

    for name, text, handler in (
        ("info", "show a build, its stages and steps", run_info),
        ("cancel", "cancel a build", run_cancel),
        ("restart", "start a new build like this one (prints its number)", run_restart),
    ):
        parser = _numbered(sub, name, text)
        parser.set_defaults(handler=handler)

    logs = _numbered(sub, "logs", "print the logs of a build, or of one step")
    logs.add_argument("stage", nargs="?", type=_positive, metavar="STAGE", help="stage number")
    logs.add_argument("step", nargs="?", type=_positive, metavar="STEP", help="step number")
    logs.add_argument(
        "--follow",
        "-f",
        action="store_true",
        help="print lines as they come until the step ends (each step in turn without STEP; "
        "with --format json one JSON object per line)",
    )
    logs.set_defaults(handler=run_logs)

    for verb in ("approve", "decline"):
        parser = _numbered(sub, verb, f"{verb} a blocked stage")
        parser.add_argument("stage", type=_positive, metavar="STAGE", help="stage number")
        parser.set_defaults(handler=run_decide, verb=verb)


def _numbered(sub: Any, name: str, text: str) -> argparse.ArgumentParser:
    parser = sub_parser(sub, name, text, EPILOG)
    parser.add_argument("repo", metavar="OWNER/NAME")
    parser.add_argument("number", type=_positive, metavar="NUMBER", help="the build number")
    add_connection(parser)
    return parser


def _parameters(pairs: list[str]) -> dict[str, str]:
    from conveyor.errors import UsageError

    found: dict[str, str] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key or key in ("branch", "commit"):
            raise UsageError(f"--param {pair!r} must be KEY=VALUE (not branch or commit)")
        found[key] = value
    return found


def _print_number(args: argparse.Namespace, data: Any) -> int:
    import sys

    from conveyor.cli.output.records import write_json

    if args.format == "json":
        write_json(data, sys.stdout)
    else:
        number = data.get("number") if isinstance(data, dict) else None
        sys.stdout.write(f"{number}\n")
    return 0


def run_create(args: argparse.Namespace) -> int:
    """POST /api/repos/{o}/{n}/builds?branch=&commit=&KEY=VALUE."""
    from conveyor.client.api import create_build

    params = _parameters(args.param)
    if args.branch:
        params["branch"] = args.branch
    if args.commit:
        params["commit"] = args.commit
    return _print_number(args, create_build(client_of(args), slug_of(args.repo), params))


def run_restart(args: argparse.Namespace) -> int:
    """POST /api/repos/{o}/{n}/builds/{number}."""
    from conveyor.client.api import restart_build

    data = restart_build(client_of(args), slug_of(args.repo), args.number)
    return _print_number(args, data)


def run_ls(args: argparse.Namespace) -> int:
    """GET /api/repos/{o}/{n}/builds."""
    from conveyor.cli.output.records import Column
    from conveyor.client.api import list_builds

    params = {"page": str(args.page), "per_page": str(args.limit)}
    if args.branch:
        params["branch"] = args.branch
    columns = [
        Column(heading="number", field="number"),
        Column(heading="status", field="status"),
        Column(heading="event", field="event"),
        Column(heading="branch", field="target"),
        Column(heading="commit", field="after"),
        Column(heading="author", field="author_login"),
        Column(heading="created", field="created"),
    ]
    return show(args, list_builds(client_of(args), slug_of(args.repo), params), columns)


def run_info(args: argparse.Namespace) -> int:
    """GET /api/repos/{o}/{n}/builds/{number}, with a table of stages and steps."""
    import sys

    from conveyor.cli.output.records import Column, write_table
    from conveyor.client.api import get_build

    data = get_build(client_of(args), slug_of(args.repo), args.number)
    show_one(args, data, BUILD_FIELDS)
    if args.format == "table" and isinstance(data, dict):
        sys.stdout.write("\n")
        columns = [
            Column(heading="stage", field="stage"),
            Column(heading="step", field="step"),
            Column(heading="status", field="status"),
            Column(heading="exit", field="exit_code"),
            Column(heading="error", field="error"),
        ]
        write_table(step_rows(data), columns, sys.stdout)
    return 0


def step_rows(build: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per stage and one per step (`1 test`, `1.2 unit`)."""
    rows: list[dict[str, Any]] = []
    for stage in _dicts(build.get("stages")):
        number = stage.get("number")
        rows.append({**stage, "stage": f"{number} {stage.get('name', '')}", "step": ""})
        for step in _dicts(stage.get("steps")):
            rows.append(
                {
                    **step,
                    "stage": "",
                    "step": f"{number}.{step.get('number')} {step.get('name', '')}",
                }
            )
    return rows


NOT_STARTED = ("pending", "skipped", "waiting_on_dependencies", "blocked", "declined")


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def run_logs(args: argparse.Namespace) -> int:
    """One step's lines, or every step's in order, each under a heading."""
    import sys

    from conveyor.cli.output.records import cell
    from conveyor.client.api import get_build, step_logs
    from conveyor.errors import UsageError

    client = client_of(args)
    slug = slug_of(args.repo)
    if (args.stage is None) != (args.step is None):
        raise UsageError("give both STAGE and STEP numbers, or neither")
    if args.follow:
        from conveyor.cli.build_follow import follow

        return follow(args, client, slug)
    if args.stage is not None:
        return _write_lines(args, step_logs(client, slug, args.number, args.stage, args.step))
    build = get_build(client, slug, args.number)
    every: list[dict[str, Any]] = []
    for stage, step in _numbered_steps(build):
        started = step.get("status") not in NOT_STARTED
        if args.format == "table":
            names = [cell("name", v) for v in (stage.get("name"), step.get("name"))]
            sys.stdout.write(
                f"--- {names[0]} / {names[1]} ({cell('status', step.get('status'))})\n"
            )
        if not started:
            continue
        lines = step_logs(client, slug, args.number, stage["number"], step["number"])
        if args.format == "json":
            every.append({"stage": stage["number"], "step": step["number"], "lines": lines})
        else:
            _write_lines(args, lines)
    if args.format == "json":
        _write_lines(args, every)
    return 0


def _numbered_steps(build: Any) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(stage, step) of every step of the build, in order (entries without numbers left out)."""
    found = []
    for stage in _dicts(build.get("stages") if isinstance(build, dict) else None):
        for step in _dicts(stage.get("steps")):
            if isinstance(stage.get("number"), int) and isinstance(step.get("number"), int):
                found.append((stage, step))
    return found


def _write_lines(args: argparse.Namespace, lines: Any) -> int:
    import sys

    from conveyor.cli.output.records import write_json

    if args.format == "json":
        write_json(lines, sys.stdout)
        return 0
    for line in _dicts(lines):
        out = str(line.get("out", ""))
        sys.stdout.write(out if out.endswith("\n") else out + "\n")
    sys.stdout.flush()
    return 0


def run_cancel(args: argparse.Namespace) -> int:
    """DELETE /api/repos/{o}/{n}/builds/{number}."""
    import sys

    from conveyor.client.api import cancel_build

    slug = slug_of(args.repo)
    data = cancel_build(client_of(args), slug, args.number)
    if args.format == "json":
        return show_one(args, data, BUILD_FIELDS)
    sys.stdout.write(f"cancelled {slug}#{args.number}\n")
    return 0


def run_decide(args: argparse.Namespace) -> int:
    """POST .../builds/{number}/approve|decline/{stage}."""
    import sys

    from conveyor.client.api import decide_stage

    slug = slug_of(args.repo)
    data = decide_stage(client_of(args), slug, args.number, args.stage, args.verb)
    if args.format == "json":
        return show_one(args, data, BUILD_FIELDS)
    done = "approved" if args.verb == "approve" else "declined"
    sys.stdout.write(f"{done} stage {args.stage} of {slug}#{args.number}\n")
    return 0
