"""`conveyor secret add|ls|info|update|rm`: repository and organisation (`--org`) secrets.

A value is given with `--data VALUE`, `--data @FILE` or `--data @-` (standard input); it goes to
the server and is never printed: the server never sends it back. Only argparse and light cli
helpers are imported at module level.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from conveyor.cli.client_args import (
    add_connection,
    client_of,
    command_group,
    show,
    show_one,
    slug_of,
    sub_parser,
)

if TYPE_CHECKING:
    from conveyor.client.api import SecretScope

SECRET_FIELDS = ["name", "pull_request", "pull_request_push", "created", "updated"]

EPILOG = """\
examples:
  conveyor secret add acme/app --name docker_password --data s3cr3t
  conveyor secret add acme/app --name dockerconfig --data @docker-config.json
  printf %s "$TOKEN" | conveyor secret add acme/app --name api_token --data @-
  conveyor secret add --org acme --name slack_webhook --data @webhook.txt
  conveyor secret ls acme/app
  conveyor secret update acme/app --name api_token --data @new-token.txt
  conveyor secret update acme/app --name api_token --allow-pull-request
  conveyor secret rm acme/app api_token
  conveyor secret rm --org acme slack_webhook
"""


def register(subparsers: Any) -> None:
    """Add the `secret` command group."""
    sub = command_group(
        subparsers,
        "secret",
        "manage repository and organisation secrets (values are write-only)",
        "Secrets of a repository (OWNER/NAME) or of an organisation (--org ORG).",
        EPILOG,
    )

    add = sub_parser(sub, "add", "add a secret", EPILOG)
    _scope(add)
    add.add_argument("--name", required=True, help="the name pipelines use in from_secret")
    add.add_argument("--data", required=True, metavar="VALUE|@FILE", help="the value")
    add.add_argument("--allow-pull-request", action="store_true", help="pull requests get it")
    add.add_argument("--allow-pr-push", action="store_true", help="pull requests may push with it")
    add.set_defaults(handler=run_add)

    update = sub_parser(sub, "update", "replace a secret's value or flags", EPILOG)
    _scope(update)
    update.add_argument("--name", required=True, help="the secret to change")
    update.add_argument("--data", metavar="VALUE|@FILE", help="the new value")
    flag = argparse.BooleanOptionalAction
    update.add_argument("--allow-pull-request", action=flag, help="pull requests get it")
    update.add_argument("--allow-pr-push", action=flag, help="pull requests may push with it")
    update.set_defaults(handler=run_update)

    ls = sub_parser(sub, "ls", "list secrets (names and flags)", EPILOG)
    _scope(ls)
    ls.set_defaults(handler=run_ls)

    for name, text, handler in (
        ("info", "show one secret (never its value)", run_info),
        ("rm", "remove a secret", run_rm),
    ):
        parser = sub_parser(sub, name, text, EPILOG)
        _scope(parser)
        parser.add_argument("secret", metavar="SECRET", help="the secret's name")
        parser.set_defaults(handler=handler)


def _scope(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("repo", nargs="?", metavar="OWNER/NAME", help="the repository")
    parser.add_argument("--org", metavar="ORG", help="an organisation's secrets instead")
    add_connection(parser)


def scope_of(args: argparse.Namespace) -> SecretScope:
    """The repository or organisation named on the command line (exactly one)."""
    from conveyor.client.api import SecretScope
    from conveyor.errors import UsageError

    if (args.repo is None) == (args.org is None):
        raise UsageError("name either a repository (OWNER/NAME) or an organisation (--org ORG)")
    if args.org is not None:
        if not args.org.strip() or "/" in args.org:
            raise UsageError(f"{args.org!r} is not an organisation name")
        return SecretScope(org=args.org)
    return SecretScope(repo=slug_of(args.repo))


def read_data(value: str) -> str:
    """`VALUE`, the text of `@FILE`, or standard input for `@-`."""
    import sys
    from pathlib import Path

    from conveyor.errors import UsageError

    if not value.startswith("@"):
        return value
    name = value[1:]
    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {name} ({exc.strerror or type(exc).__name__})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{name} is not UTF-8 text; secrets are text") from None


def run_add(args: argparse.Namespace) -> int:
    """POST the secret to its scope."""
    from conveyor.client.api import add_secret

    scope = scope_of(args)
    body = {
        "name": args.name,
        "data": read_data(args.data),
        "pull_request": args.allow_pull_request,
        "pull_request_push": args.allow_pr_push,
    }
    return show_one(args, add_secret(client_of(args), scope, body), SECRET_FIELDS)


def run_update(args: argparse.Namespace) -> int:
    """PATCH the secret with what was given."""
    from conveyor.client.api import update_secret
    from conveyor.errors import UsageError

    scope = scope_of(args)
    body: dict[str, Any] = {}
    if args.data is not None:
        body["data"] = read_data(args.data)
    if args.allow_pull_request is not None:
        body["pull_request"] = args.allow_pull_request
    if args.allow_pr_push is not None:
        body["pull_request_push"] = args.allow_pr_push
    if not body:
        raise UsageError("nothing to change; give --data or a --allow flag")
    return show_one(args, update_secret(client_of(args), scope, args.name, body), SECRET_FIELDS)


def run_ls(args: argparse.Namespace) -> int:
    """GET the scope's secrets."""
    from conveyor.cli.output.records import Column
    from conveyor.client.api import list_secrets

    columns = [
        Column(heading="name", field="name"),
        Column(heading="pull requests", field="pull_request"),
        Column(heading="push on pull requests", field="pull_request_push"),
        Column(heading="updated", field="updated"),
    ]
    return show(args, list_secrets(client_of(args), scope_of(args)), columns)


def run_info(args: argparse.Namespace) -> int:
    """GET one secret's name and flags."""
    from conveyor.client.api import get_secret

    data = get_secret(client_of(args), scope_of(args), args.secret)
    return show_one(args, data, SECRET_FIELDS)


def run_rm(args: argparse.Namespace) -> int:
    """DELETE one secret."""
    import sys

    from conveyor.client.api import remove_secret

    scope = scope_of(args)
    remove_secret(client_of(args), scope, args.secret)
    if args.format == "table":
        sys.stdout.write(f'removed secret "{args.secret}" of {scope}\n')
    return 0
