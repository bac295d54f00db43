"""`conveyor agent ls`: the agents a server knows (system admins only).

Only argparse and light cli helpers are imported at module level.
"""

from __future__ import annotations

import argparse
from typing import Any

from conveyor.cli.client_args import add_connection, client_of, command_group, show, sub_parser

EPILOG = """\
examples:
  conveyor agent ls
  conveyor agent ls --format json
"""


def register(subparsers: Any) -> None:
    """Add the `agent` command group (the agent daemon itself comes with the agent issue)."""
    sub = command_group(
        subparsers,
        "agent",
        "list the agents that run a server's builds",
        "The agents that take stages from a Conveyor server.",
        EPILOG,
    )
    ls = sub_parser(sub, "ls", "list agents, their labels, capacity and last contact", EPILOG)
    add_connection(ls)
    ls.set_defaults(handler=run_ls)


def run_ls(args: argparse.Namespace) -> int:
    """GET /api/agents; a server without that route says so in one sentence."""
    from conveyor.cli.output.records import Column
    from conveyor.client.api import list_agents
    from conveyor.client.http import ServerRefusedError

    client = client_of(args)
    try:
        agents = list_agents(client)
    except ServerRefusedError as exc:
        if exc.status == 404:
            message = f"the server at {client.server} has no agents API yet"
            raise ServerRefusedError(message, status=404) from None
        raise
    columns = [
        Column(heading="name", field="name"),
        Column(heading="platform", field="platform"),
        Column(heading="labels", field="labels"),
        Column(heading="capacity", field="capacity"),
        Column(heading="running", field="running"),
        Column(heading="last contact", field="last_contact"),
    ]
    return show(args, agents, columns)
