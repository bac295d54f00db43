"""Database engines and sessions: SQLite (WAL, foreign keys, busy timeout, one writer at a
time) or PostgreSQL (psycopg 3), and the Alembic migrations shipped in this package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from conveyor.errors import ConfigError

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_MS = 30_000


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL and `BEGIN IMMEDIATE` so writers never deadlock."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # No pre-ping: it costs a round trip per checkout; a connection the server dropped fails
    # one request (500) and is discarded by the pool.
    return create_engine(url, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    # pysqlite's own transaction handling is turned off: `_sqlite_begin` opens transactions,
    # IMMEDIATE, so two writers queue on the busy timeout instead of failing on upgrade.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


READ_ONLY = "conveyor_read_only"
"""Execution option of the read-only engine: SQLite opens a deferred transaction, which never
waits for the writer (WAL readers see the last commit)."""


def _sqlite_begin(connection: Any) -> None:
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def sessions(engine: Engine) -> sessionmaker[Session]:
    """The session factory the server uses (objects stay readable after commit)."""
    return sessionmaker(engine, expire_on_commit=False)


def read_engine(engine: Engine) -> Engine:
    """The engine of requests that only read: they never queue behind a writer on SQLite; on
    PostgreSQL they run in autocommit, which saves the BEGIN and COMMIT round trips and sees
    the same rows (READ COMMITTED takes a new snapshot for every statement anyway)."""
    options: dict[str, object] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "AUTOCOMMIT"
    return engine.execution_options(**options)


def read_sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions on `read_engine(engine)`."""
    return sessionmaker(read_engine(engine), expire_on_commit=False)


def migrate(engine: Engine) -> list[str]:
    """Apply every pending migration; returns the revisions applied (empty when up to date)."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    try:
        with engine.begin() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except Exception as exc:  # the driver's own errors vary; say which database in one line
        if exc.__class__.__module__.startswith(("sqlalchemy", "psycopg", "sqlite3")):
            raise ConfigError(f"cannot open or migrate the database: {_first_line(exc)}") from None
        raise
    done_before = {
        rev.revision for head in current for rev in script.iterate_revisions(head, "base")
    }
    applied = [rev.revision for rev in script.iterate_revisions("head", "base")]
    return [rev for rev in reversed(applied) if rev not in done_before]


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else exc.__class__.__name__
