"""`conveyor repo add|ls|info|update|rm|hook`: the server's repositories from a terminal.

Only argparse and light cli helpers are imported at module level (`conveyor --help` stays
fast); the HTTP client is imported when a command runs.
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

REPO_FIELDS = [
    "slug",
    "git_http_url",
    "default_branch",
    "config_path",
    "visibility",
    "active",
    "trusted",
    "protected",
    "timeout",
    "image_cache_mode",
    "counter",
    "created",
    "updated",
]

EPILOG = """\
examples:
  conveyor repo add acme/app --git-url https://git.example.com/acme/app.git
  conveyor repo add acme/tools --git-url /srv/git/tools.git --branch trunk
  conveyor repo ls
  conveyor repo info acme/app --format json
  conveyor repo update acme/app --trusted --timeout 90
  conveyor repo hook acme/app        the URL and secret for the forge's webhook
  conveyor repo rm acme/app
"""


def register(subparsers: Any) -> None:
    """Add the `repo` command group."""
    sub = command_group(
        subparsers,
        "repo",
        "add, list, change and remove the server's repositories",
        "The repositories that a Conveyor server builds.",
        EPILOG,
    )

    add = sub_parser(sub, "add", "add a repository and activate it", EPILOG)
    add.add_argument("repo", metavar="OWNER/NAME")
    add.add_argument("--git-url", required=True, metavar="URL", help="where git can read it")
    add.add_argument("--branch", default="main", help="its default branch (default: main)")
    add.add_argument("--config-path", metavar="PATH", help="the pipeline file (.drone.yml)")
    add_connection(add)
    add.set_defaults(handler=run_add)

    ls = sub_parser(sub, "ls", "list the repositories you can see", EPILOG)
    add_connection(ls)
    ls.set_defaults(handler=run_ls)

    for name, text, handler in (
        ("info", "show one repository", run_info),
        ("rm", "remove a repository, its builds and secrets", run_rm),
        ("hook", "show the webhook URL and secret to give the forge", run_hook),
    ):
        parser = sub_parser(sub, name, text, EPILOG)
        parser.add_argument("repo", metavar="OWNER/NAME")
        add_connection(parser)
        parser.set_defaults(handler=handler)

    update = sub_parser(sub, "update", "change a repository's settings", EPILOG)
    update.add_argument("repo", metavar="OWNER/NAME")
    _update_flags(update)
    add_connection(update)
    update.set_defaults(handler=run_update)


def _update_flags(parser: argparse.ArgumentParser) -> None:
    flag = argparse.BooleanOptionalAction
    parser.add_argument("--trusted", action=flag, help="allow trusted-only fields (admin)")
    parser.add_argument("--protected", action=flag, help="builds need approval")
    parser.add_argument("--active", action=flag, help="build on webhooks")
    parser.add_argument("--timeout", type=int, metavar="MINUTES", help="build time limit (admin)")
    parser.add_argument("--visibility", choices=("public", "private", "internal"))
    parser.add_argument("--config-path", metavar="PATH", help="the pipeline file")
    parser.add_argument("--branch", metavar="BRANCH", help="the default branch")
    parser.add_argument("--git-url", metavar="URL", help="where git can read it")
    parser.add_argument("--image-cache-mode", choices=("verify", "always-pull", "off"))


UPDATE_FIELDS = {
    "trusted": "trusted",
    "protected": "protected",
    "active": "active",
    "timeout": "timeout",
    "visibility": "visibility",
    "config_path": "config_path",
    "branch": "default_branch",
    "git_url": "git_http_url",
    "image_cache_mode": "image_cache_mode",
}


def run_add(args: argparse.Namespace) -> int:
    """POST /api/repos/{owner}/{name}."""
    from conveyor.client.api import add_repo

    body: dict[str, Any] = {"git_http_url": args.git_url, "default_branch": args.branch}
    if args.config_path:
        body["config_path"] = args.config_path
    slug = slug_of(args.repo)
    return show_one(args, add_repo(client_of(args), slug, body), REPO_FIELDS)


def run_ls(args: argparse.Namespace) -> int:
    """GET /api/user/repos."""
    from conveyor.cli.output.records import Column
    from conveyor.client.api import list_repos

    columns = [
        Column(heading="repository", field="slug"),
        Column(heading="branch", field="default_branch"),
        Column(heading="trusted", field="trusted"),
        Column(heading="builds", field="counter"),
        Column(heading="git url", field="git_http_url"),
    ]
    return show(args, list_repos(client_of(args)), columns)


def run_info(args: argparse.Namespace) -> int:
    """GET /api/repos/{owner}/{name}."""
    from conveyor.client.api import get_repo

    return show_one(args, get_repo(client_of(args), slug_of(args.repo)), REPO_FIELDS)


def run_update(args: argparse.Namespace) -> int:
    """PATCH /api/repos/{owner}/{name} with the flags given."""
    from conveyor.client.api import update_repo
    from conveyor.errors import UsageError

    body = {key: getattr(args, flag) for flag, key in UPDATE_FIELDS.items()}
    body = {key: value for key, value in body.items() if value is not None}
    if not body:
        raise UsageError("nothing to change; give at least one flag (see --help)")
    slug = slug_of(args.repo)
    return show_one(args, update_repo(client_of(args), slug, body), REPO_FIELDS)


def run_rm(args: argparse.Namespace) -> int:
    """DELETE /api/repos/{owner}/{name}."""
    import sys

    from conveyor.client.api import remove_repo

    slug = slug_of(args.repo)
    remove_repo(client_of(args), slug)
    if args.format == "table":
        sys.stdout.write(f"removed {slug}\n")
    return 0


def run_hook(args: argparse.Namespace) -> int:
    """GET /api/repos/{owner}/{name}/hook."""
    from conveyor.client.api import repo_hook

    return show_one(args, repo_hook(client_of(args), slug_of(args.repo)), ["url", "secret"])
