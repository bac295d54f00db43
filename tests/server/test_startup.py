"""Opening the server: migrations on both databases, the key, the key check, the first users."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from conveyor.errors import ConfigError
from conveyor.server.crypto import create_key
from conveyor.server.settings import Settings, UserCreate
from conveyor.server.startup import open_state
from conveyor.server.store.db import make_engine, migrate
from conveyor.server.store.models import Base, User
from conveyor.server.users import hash_token

from .conftest import ADMIN_TOKEN


def test_migrations_match_the_models(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    assert migrate(engine) == ["0001", "0002", "0003", "0004"]
    assert migrate(engine) == []
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_user_create_admin_token_works(settings: Settings) -> None:
    state = open_state(settings)
    with state.sessions() as session:
        user = session.scalar(select(User).where(User.login == "admin"))
        assert user is not None
        assert user.admin
        assert user.token_hash == hash_token(ADMIN_TOKEN)
    assert not any(ADMIN_TOKEN in note for note in state.notes)
    state.engine.dispose()


def test_zero_config_creates_key_and_prints_admin_token_once(settings: Settings) -> None:
    plain = dataclasses.replace(settings, user_create=None)
    first = open_state(plain)
    assert any("back it up" in note for note in first.notes)
    assert any("shown once" in note for note in first.notes)
    first.engine.dispose()
    second = open_state(plain)
    assert second.notes == ()
    second.engine.dispose()


def test_wrong_key_refuses_to_start(settings: Settings, tmp_path: Path) -> None:
    open_state(settings).engine.dispose()
    other = tmp_path / "other.key"
    create_key(other)
    with pytest.raises(ConfigError, match="is not the key this database's secrets were encrypted"):
        open_state(dataclasses.replace(settings, secret_key_file=other))


def test_missing_key_with_existing_database_refuses(settings: Settings, tmp_path: Path) -> None:
    open_state(settings).engine.dispose()
    missing = tmp_path / "nope.key"
    with pytest.raises(ConfigError, match="is missing, but this database holds secrets"):
        open_state(dataclasses.replace(settings, secret_key_file=missing))
    assert not missing.exists()


def test_user_create_updates_an_existing_user(settings: Settings) -> None:
    open_state(settings).engine.dispose()
    again = dataclasses.replace(
        settings, user_create=UserCreate(login="admin", admin=False, token="z" * 20)
    )
    state = open_state(again)
    with state.sessions() as session:
        user = session.scalar(select(User).where(User.login == "admin"))
        assert user is not None
        assert not user.admin
        assert user.token_hash == hash_token("z" * 20)
    state.engine.dispose()
