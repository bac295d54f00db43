"""`conveyor agent --server URL`: run a server's stages here; `conveyor agent ls`: list agents.

Exit codes of the agent: 0 stopped by SIGINT/SIGTERM (running stages are stopped and reported
`killed`), 1 the server refused the agent (secret, protocol version), 2 bad usage. Only argparse
and light cli helpers are imported at module level.
"""

from __future__ import annotations

import argparse
from typing import Any

from conveyor.cli.agent_args import add_agent_arguments
from conveyor.cli.client_args import add_connection, client_of, show, sub_parser

USAGE = """\
%(prog)s [--server URL] [--name NAME] [--capacity N]
                      [--label KEY=VALUE] [--image-cache-mode MODE]
       %(prog)s ls [--server URL] [--token TOKEN] [--format {table,json}]"""
"""Without a sub-command the agent runs: the usage shows both forms, neither as required."""
EPILOG = """\
examples:
  CONVEYOR_RPC_SECRET=s3cret conveyor agent --server http://ci.example.com:8080
  conveyor agent --server http://ci:8080 --name b1 --capacity 4 --label gpu=yes
  DRONE_RPC_HOST=ci:8080 DRONE_RPC_SECRET=s3cret DRONE_RUNNER_CAPACITY=4 \\
    conveyor agent
  conveyor agent ls
  conveyor agent ls --format json

The secret is the server's CONVEYOR_RPC_SECRET, read only from the environment.
Exit codes: 0 stopped by a signal, 1 refused by the server, 2 bad usage.
See docs/agent.md.
"""
LS_EPILOG = """\
examples:
  conveyor agent ls
  conveyor agent ls --format json
"""


def register(subparsers: Any) -> None:
    """Add `agent` (the agent itself) and its `ls` sub-command (the client listing)."""
    parser = subparsers.add_parser(
        "agent",
        usage=USAGE,
        help="run a server's builds here, or list the agents (`agent ls`)",
        description="Take stages from a Conveyor server and run them on the local Docker "
        "engine.\nWith `ls`: list the agents that a server knows.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_agent_arguments(parser)
    parser.set_defaults(handler=run_agent)
    sub = parser.add_subparsers(
        dest="agent_command",
        title="sub-commands (without one, the agent runs)",
        metavar="SUBCOMMAND",
        prog=parser.prog,
    )
    ls = sub_parser(sub, "ls", "list agents, their labels, capacity and last contact", LS_EPILOG)
    add_connection(ls)
    ls.set_defaults(handler=run_ls)


def run_agent(args: argparse.Namespace) -> int:
    """Run the agent until a signal stops it or the server refuses it."""
    import os
    import sys

    from conveyor.cli.agent_args import agent_settings
    from conveyor.cli.agent_run import serve

    return serve(agent_settings(args, os.environ), sys.stderr)


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
