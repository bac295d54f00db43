"""The store on SQLite: one writer at a time, and readers that never wait for it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from conveyor.server.store.db import make_engine, migrate, read_sessions, sessions
from conveyor.server.store.models import User


def test_a_reader_is_not_blocked_by_an_open_write_transaction(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    with sessions(engine).begin() as writer:
        writer.add(User(login="w", token_hash="h" * 64, created=0, updated=0))
        writer.flush()  # the write lock is held until this block ends
        with read_sessions(engine).begin() as reader:
            assert reader.scalar(select(func.count()).select_from(User)) == 0
    with read_sessions(engine).begin() as reader:
        assert reader.scalar(select(func.count()).select_from(User)) == 1
    engine.dispose()
