"""What every client command shares: --server, --token, --format, and how answers are printed.

The connection comes from the flags, then CONVEYOR_SERVER / CONVEYOR_TOKEN, then Drone's
DRONE_SERVER / DRONE_TOKEN. Heavy imports (requests) happen only when a command runs.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conveyor.cli.output.records import Column
    from conveyor.client.api import Slug
    from conveyor.client.http import ServerClient

CONNECTION_HELP = """\
connection: --server URL --token TOKEN, or CONVEYOR_SERVER and CONVEYOR_TOKEN
(Drone's DRONE_SERVER and DRONE_TOKEN are accepted too)
exit codes: 0 done, 1 the server refused (401 token, 403 permission, 404 not
found), 2 bad usage or the server cannot be reached
"""


def add_connection(parser: argparse.ArgumentParser, *, formats: bool = True) -> None:
    """Add --server, --token and (for commands that print records) --format."""
    parser.add_argument("--server", metavar="URL", help="the server (default: $CONVEYOR_SERVER)")
    parser.add_argument("--token", metavar="TOKEN", help="your token (default: $CONVEYOR_TOKEN)")
    if formats:
        parser.add_argument(
            "--format",
            choices=("table", "json"),
            default="table",
            help="table for people (default), json for scripts",
        )


def command_group(subparsers: Any, name: str, help_text: str, description: str, epilog: str) -> Any:
    """Add `conveyor NAME` (help alone when no sub-command is given); its sub-parsers."""
    group = subparsers.add_parser(
        name,
        help=help_text,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    group.set_defaults(handler=missing_subcommand, group_parser=group)
    return group.add_subparsers(dest=f"{name}_command", metavar="SUBCOMMAND")


def sub_parser(sub: Any, name: str, help_text: str, epilog: str) -> argparse.ArgumentParser:
    """A sub-command parser with the shared epilog and raw formatting."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help_text,
        description=help_text[0].upper() + help_text[1:] + ".",
        epilog=epilog + "\n" + CONNECTION_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def missing_subcommand(args: argparse.Namespace) -> int:
    """`conveyor repo` alone: the group's help, exit 2."""
    import sys

    args.group_parser.print_help(sys.stderr)
    return 2


def client_of(args: argparse.Namespace) -> ServerClient:
    """The client for the server and token of the command line or the environment."""
    import os

    from conveyor.client.connection import resolve_connection
    from conveyor.client.http import ServerClient

    return ServerClient(resolve_connection(args.server, args.token, os.environ))


def slug_of(text: str) -> Slug:
    """OWNER/NAME, or a UsageError."""
    from conveyor.client.api import parse_slug

    return parse_slug(text)


def show(args: argparse.Namespace, data: Any, columns: list[Column]) -> int:
    """A list of records as a table (or JSON); exit 0."""
    import sys

    from conveyor.cli.output.records import write_json, write_table

    if args.format == "json":
        write_json(data, sys.stdout)
    else:
        records = data if isinstance(data, list) else []
        write_table([r for r in records if isinstance(r, dict)], columns, sys.stdout)
    return 0


def show_one(args: argparse.Namespace, data: Any, fields: list[str]) -> int:
    """One record as `field: value` lines (or JSON); exit 0."""
    import sys

    from conveyor.cli.output.records import write_fields, write_json

    if args.format == "json":
        write_json(data, sys.stdout)
    else:
        write_fields(data if isinstance(data, dict) else {}, fields, sys.stdout)
    return 0
