"""`conveyor server passwd LOGIN`: set a user's web password in the server's database (the
new password from standard input, or typed twice on a terminal); the user's signed-in
browsers are signed out. Acts on the database directly, like `conveyor server migrate`."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from conveyor.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from conveyor.server.settings import Settings


def read_new_password(stdin: TextIO, ask: Callable[[str], str] = getpass.getpass) -> str:
    """The new password: typed twice on a terminal, else the first line of `stdin`."""
    if stdin.isatty():
        first = ask("New password: ")
        if ask("New password again: ") != first:
            raise UsageError("the two passwords differ; nothing was changed")
        return first
    line = stdin.readline()
    if not line:
        raise UsageError("no password on standard input; nothing was changed")
    return line.removesuffix("\n").removesuffix("\r")


def passwd(settings: Settings, login: str, stdin: TextIO | None = None) -> int:
    """Set `login`'s password; exit 0, or ConfigError/UsageError with one sentence."""
    from sqlalchemy import delete

    from conveyor.server.passwords import PasswordRuleError, check_new_password
    from conveyor.server.startup import ensure_data_dir
    from conveyor.server.store.db import make_engine, migrate, sessions
    from conveyor.server.store.models import WebSession
    from conveyor.server.users import find_user, set_password

    password = read_new_password(stdin or sys.stdin)
    try:
        check_new_password(password)
    except PasswordRuleError as exc:
        raise UsageError(f"{exc}; nothing was changed") from None
    ensure_data_dir(settings.data_dir)
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        with sessions(engine).begin() as session:
            user = find_user(session, login)
            if user is None:
                raise ConfigError(
                    f"there is no user {login[:60]!r}; create it first (CONVEYOR_USER_CREATE "
                    "or POST /api/users)"
                )
            set_password(user, password)
            session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    finally:
        engine.dispose()
    sys.stdout.write(f"changed the password of {login}; its browsers are signed out\n")
    return 0
