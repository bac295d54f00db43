"""`conveyor queue ls | pause | resume`: the stages waiting for an agent and why each waits;
stop or restart handing stages to agents (system admins only).

Only argparse and light cli helpers are imported at module level.
"""

from __future__ import annotations

import argparse
from typing import Any

from conveyor.cli.client_args import add_connection, client_of, command_group, show, sub_parser

EPILOG = """\
examples:
  conveyor queue ls                 each waiting stage and the reason it waits
  conveyor queue ls --format json
  conveyor queue pause              agents get no new stage (running ones go on)
  conveyor queue resume
"""


def register(subparsers: Any) -> None:
    """Add the `queue` command group."""
    sub = command_group(
        subparsers,
        "queue",
        "see why stages wait; pause or resume the queue",
        "The stages a Conveyor server holds for its agents.",
        EPILOG,
    )
    ls = sub_parser(sub, "ls", "list waiting stages and why each waits", EPILOG)
    add_connection(ls)
    ls.set_defaults(handler=run_ls)
    for name, text in (("pause", "hand no new stage to agents"), ("resume", "hand stages again")):
        action = sub_parser(sub, name, text, EPILOG)
        add_connection(action, formats=False)
        action.set_defaults(handler=run_switch, queue_action=name)


def run_ls(args: argparse.Namespace) -> int:
    """GET /api/queue as a table."""
    from conveyor.cli.output.records import Column
    from conveyor.client.api import list_queue

    columns = [
        Column(heading="repository", field="repo"),
        Column(heading="build", field="build"),
        Column(heading="stage", field="name"),
        Column(heading="status", field="status"),
        Column(heading="reason", field="reason"),
    ]
    return show(args, list_queue(client_of(args)), columns)


def run_switch(args: argparse.Namespace) -> int:
    """POST /api/queue/pause or /resume; one line saying the new state."""
    import sys

    from conveyor.client.api import switch_queue

    answer = switch_queue(client_of(args), pause=args.queue_action == "pause")
    sys.stdout.write("the queue is paused\n" if answer.get("paused") else "the queue runs\n")
    return 0
