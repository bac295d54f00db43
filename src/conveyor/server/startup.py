"""Opening the server's state: data directory, secret key, database migrations, key check and
the first users. Every refusal is a ConfigError with one sentence (exit 2).

Returns notes for the operator (a key was created, the first admin's token) instead of printing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from conveyor.errors import ConfigError
from conveyor.server.crypto import Cipher, create_key, read_key
from conveyor.server.settings import Settings
from conveyor.server.store.db import make_engine, migrate, read_engine, read_sessions, sessions
from conveyor.server.store.models import Meta
from conveyor.server.users import apply_user_create, count_users, create_user

KEY_CHECK = "secret_key_check"


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerState:
    """What the running server holds: the database and the cipher of secrets at rest."""

    engine: Engine
    sessions: sessionmaker[Session]
    readers: sessionmaker[Session]
    """Sessions for read-only requests (deferred transactions on SQLite)."""
    reader: Engine
    """The engine under `readers`, for hot read paths that skip the ORM."""
    cipher: Cipher = field(repr=False)
    notes: tuple[str, ...] = ()


def open_state(settings: Settings) -> ServerState:
    """Migrate the database, load (or create) the key, check it, create users; ConfigError."""
    ensure_data_dir(settings.data_dir)
    engine = make_engine(settings.database_url)
    migrate(engine)
    factory = sessions(engine)
    notes: list[str] = []
    with factory.begin() as session:
        cipher = _cipher(session, settings, notes)
        _users(session, settings, notes)
    return ServerState(
        engine=engine,
        sessions=factory,
        readers=read_sessions(engine),
        reader=read_engine(engine),
        cipher=cipher,
        notes=tuple(notes),
    )


def ensure_data_dir(path: Path) -> None:
    """Create the data directory (mode 0700 when new); ConfigError when it cannot be."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the data directory {path}: {exc.strerror}") from None


def _cipher(session: Session, settings: Settings, notes: list[str]) -> Cipher:
    path = settings.secret_key_file
    check = session.scalar(select(Meta.value).where(Meta.key == KEY_CHECK))
    if path.exists():
        cipher = Cipher(read_key(path))
    elif check is not None:
        raise ConfigError(
            f"the secret key file {path} is missing, but this database holds secrets encrypted "
            "with a key: set CONVEYOR_SECRET_KEY_FILE to that key's file"
        )
    else:
        cipher = Cipher(create_key(path))
        notes.append(
            f"created the secret key {path} (mode 0600): back it up, the secrets in the "
            "database cannot be read without it"
        )
    if check is None:
        session.add(Meta(key=KEY_CHECK, value=cipher.check_value()))
    elif not cipher.matches(check):
        raise ConfigError(
            f"the secret key in {path} is not the key this database's secrets were encrypted "
            "with; point CONVEYOR_SECRET_KEY_FILE at the right key file"
        )
    return cipher


def _users(session: Session, settings: Settings, notes: list[str]) -> None:
    wanted = settings.user_create
    if wanted is not None:
        user, token = apply_user_create(session, wanted)
        if token is not None:
            notes.append(f"created user {user.login}; its API token (shown once): {token}")
        return
    if count_users(session) == 0:
        user, token = create_user(session, login="admin", admin=True)
        notes.append(
            f"created the admin user {user.login}; sign in with this API token (shown once): "
            f"{token}"
        )
