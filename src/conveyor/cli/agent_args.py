"""The flags of `conveyor agent` and the settings they make, with Drone runner's names accepted.

Flags first, then CONVEYOR_* variables, then Drone's: DRONE_RPC_HOST + DRONE_RPC_PROTO for the
server, DRONE_RPC_SECRET, DRONE_RUNNER_NAME, DRONE_RUNNER_CAPACITY, DRONE_RUNNER_LABELS
(`key:value,key:value`). The RPC secret is read only from the environment, never from a flag
that `ps` shows.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from conveyor.cli.exec_settings import CACHE_MODES, positive

if TYPE_CHECKING:
    from conveyor.agent.settings import AgentSettings

SECRET_VARIABLES = ("CONVEYOR_RPC_SECRET", "DRONE_RPC_SECRET")


def add_agent_arguments(parser: argparse.ArgumentParser) -> None:
    """--server, --name, --capacity, --label, --image-cache-mode."""
    parser.add_argument(
        "--server", metavar="URL", help="the server (default: $CONVEYOR_SERVER, $DRONE_RPC_HOST)"
    )
    parser.add_argument(
        "--name", help="this agent's name (default: $DRONE_RUNNER_NAME, else the host name)"
    )
    parser.add_argument(
        "--capacity",
        type=positive,
        metavar="N",
        help="most stages running at once (default: $DRONE_RUNNER_CAPACITY, else 2)",
    )
    parser.add_argument(
        "--label",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a label that pipelines' `node:` must match (repeatable; default: "
        "$DRONE_RUNNER_LABELS, key:value,key:value)",
    )
    parser.add_argument(
        "--image-cache-mode",
        choices=CACHE_MODES,
        default="verify",
        help="private image cache check (default: verify; see docs/security.md)",
    )


def agent_settings(args: Any, environ: Mapping[str, str]) -> AgentSettings:
    """The settings of the flags and `environ`; UsageError naming what is missing or wrong."""
    import socket
    from pathlib import Path

    from conveyor import __version__
    from conveyor.agent.settings import AgentSettings
    from conveyor.cache.guard import default_state_dir
    from conveyor.client.connection import resolve_connection

    server = args.server or _first(environ, ("CONVEYOR_SERVER",)) or _drone_server(environ)
    secret = _first(environ, SECRET_VARIABLES)
    if not secret:
        from conveyor.errors import UsageError

        raise UsageError(
            "no RPC secret given; set CONVEYOR_RPC_SECRET to the server's (or DRONE_RPC_SECRET)"
        )
    connection = resolve_connection(server, secret, {})
    capacity = args.capacity or _capacity(environ.get("DRONE_RUNNER_CAPACITY", ""))
    return AgentSettings(
        server=connection.server,
        secret=secret,
        name=args.name or _first(environ, ("DRONE_RUNNER_NAME",)) or socket.gethostname(),
        capacity=capacity,
        labels=_labels(args.label, environ.get("DRONE_RUNNER_LABELS", "")),
        state_dir=default_state_dir(environ, Path.home()),
        image_cache_mode=args.image_cache_mode,
        version=__version__,
    )


def _first(environ: Mapping[str, str], names: tuple[str, ...]) -> str:
    return next((environ[n].strip() for n in names if environ.get(n, "").strip()), "")


def _drone_server(environ: Mapping[str, str]) -> str:
    host = environ.get("DRONE_RPC_HOST", "").strip()
    if not host or "://" in host:
        return host
    return f"{environ.get('DRONE_RPC_PROTO', 'http').strip() or 'http'}://{host}"


def _capacity(text: str) -> int:
    if not text.strip():
        return 2
    try:
        return positive(text.strip())
    except argparse.ArgumentTypeError as exc:
        from conveyor.errors import UsageError

        raise UsageError(f"DRONE_RUNNER_CAPACITY: {exc}") from None


def _labels(flags: list[str], drone: str) -> dict[str, str]:
    """--label KEY=VALUE flags, else DRONE_RUNNER_LABELS `key:value,key:value`."""
    from conveyor.errors import UsageError

    labels: dict[str, str] = {}
    pairs = [(text, "=", "--label") for text in flags] or [
        (text, ":", "DRONE_RUNNER_LABELS") for text in drone.split(",") if text.strip()
    ]
    for text, separator, where in pairs:
        key, found, value = text.partition(separator)
        if not found or not key.strip():
            raise UsageError(f"{where} {text!r} must be KEY{separator}VALUE")
        labels[key.strip()] = value.strip()
    return labels
