"""`conveyor server [--addr] [--data-dir] [--database-url]`, `conveyor server migrate`,
`conveyor server rotate-key --new-key-file F` and `conveyor server passwd LOGIN`.

Only argparse is imported at module level (`conveyor --help` stays fast); the server's modules
are imported inside the handlers.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conveyor.server.settings import Settings

EPILOG = """\
environment (Drone's DRONE_* names are accepted too, see docs/server.md):
  CONVEYOR_DATA_DIR         data directory
                            [$XDG_DATA_HOME/conveyor or ~/.local/share/conveyor]
  CONVEYOR_DATABASE_URL     sqlite:///PATH or postgresql://...
                            [sqlite:///DATA_DIR/conveyor.sqlite]
  CONVEYOR_SECRET_KEY_FILE  key of the secrets at rest
                            [DATA_DIR/secret.key, made with mode 0600]
  CONVEYOR_RPC_SECRET       shared secret of the agents
  CONVEYOR_USER_CREATE      username:NAME,admin:true,token:TOKEN,password:P
                            (made or updated at start; password: web sign-in)
  CONVEYOR_SERVER_URL       the URL forges use to reach /hook [http://ADDR]
  CONVEYOR_LEASE            how long an agent may stay silent about a running
                            stage [30s]

exit codes: 0 stopped cleanly, 2 bad settings (URL, port in use, wrong key)

examples:
  conveyor server            127.0.0.1:8080, SQLite in the data directory
  conveyor server --addr 0.0.0.0:8080 --database-url postgresql://ci@db/ci
  conveyor server migrate    apply database migrations and exit
  conveyor server rotate-key --new-key-file /etc/conveyor/new.key
  conveyor server passwd alice                  set alice's web password
  printf '%s\\n' "$PW" | conveyor server passwd alice    (from standard input)
"""


USAGE = """\
%(prog)s [--addr HOST:PORT] [--lease DURATION]
                       [--data-dir DIR] [--database-url URL]
       %(prog)s migrate [--data-dir DIR] [--database-url URL]
       %(prog)s rotate-key --new-key-file FILE
                       [--data-dir DIR] [--database-url URL]
       %(prog)s passwd LOGIN [--data-dir DIR] [--database-url URL]"""
"""Without an action the server runs: the usage shows the four forms, none as required."""


def _common(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument("--data-dir", default=default, metavar="DIR", help="data directory")
    parser.add_argument(
        "--database-url", default=default, metavar="URL", help="sqlite:///... or postgresql://..."
    )


def register(subparsers: Any) -> None:
    """Add the `server` sub-command and its `migrate`, `rotate-key` and `passwd` actions."""
    parser = subparsers.add_parser(
        "server",
        usage=USAGE,
        help="run the Conveyor server (REST API, web pages, webhooks, queue)",
        description="Run the Conveyor server: the REST API, the web pages, builds and queue.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--addr", default=None, metavar="HOST:PORT", help="[127.0.0.1:8080]")
    parser.add_argument(
        "--lease",
        default=None,
        metavar="DURATION",
        help="a running stage whose agent is silent this long is `error` [30s]",
    )
    _common(parser, None)
    parser.set_defaults(handler=run, action="serve")
    actions = parser.add_subparsers(
        dest="action",
        title="actions (without one, the server runs)",
        metavar="ACTION",
        prog=parser.prog,
    )
    migrate = actions.add_parser("migrate", help="apply database migrations and exit")
    _common(migrate, argparse.SUPPRESS)
    rotate = actions.add_parser(
        "rotate-key", help="re-encrypt every secret under a new key, in one transaction"
    )
    _common(rotate, argparse.SUPPRESS)
    rotate.add_argument(
        "--new-key-file",
        required=True,
        metavar="FILE",
        help="the new key (created with mode 0600 if missing)",
    )
    passwd = actions.add_parser(
        "passwd",
        help="set a user's password for the web pages (from stdin, or asked twice)",
    )
    _common(passwd, argparse.SUPPRESS)
    passwd.add_argument("login", metavar="LOGIN", help="the user's login")


def run(args: argparse.Namespace) -> int:
    """Dispatch to serve, migrate, rotate-key or passwd."""
    from conveyor.server.settings import load_settings

    settings = load_settings(
        addr=getattr(args, "addr", None),
        data_dir=args.data_dir,
        database_url=args.database_url,
        lease=getattr(args, "lease", None),
    )
    if args.action == "migrate":
        return _migrate(settings)
    if args.action == "rotate-key":
        return _rotate(settings, args.new_key_file)
    if args.action == "passwd":
        from conveyor.cli.server_passwd import passwd

        return passwd(settings, args.login)
    from conveyor.cli.server_run import serve

    return serve(settings)


def _migrate(settings: Settings) -> int:
    import sys

    from conveyor.server.startup import ensure_data_dir
    from conveyor.server.store.db import make_engine, migrate

    ensure_data_dir(settings.data_dir)
    engine = make_engine(settings.database_url)
    applied = migrate(engine)
    engine.dispose()
    sys.stdout.write(
        f"applied {', '.join(applied)}\n" if applied else "the database is up to date\n"
    )
    return 0


def _rotate(settings: Settings, new_key_file: str) -> int:
    import sys
    from pathlib import Path

    from conveyor.server.crypto import Cipher, create_key, read_key
    from conveyor.server.rotation import rotate
    from conveyor.server.startup import open_state

    state = open_state(settings)
    path = Path(new_key_file).expanduser()
    created = not path.exists()
    new = Cipher(create_key(path) if created else read_key(path))
    with state.sessions.begin() as session:
        count = rotate(session, state.cipher, new)
    state.engine.dispose()
    if created:
        sys.stdout.write(f"created the new key {path} (mode 0600): back it up\n")
    sys.stdout.write(
        f"re-encrypted {count} values under {path}; now set CONVEYOR_SECRET_KEY_FILE={path} "
        "and restart the server\n"
    )
    return 0
