"""Server fixtures: a fresh database per test on SQLite and on PostgreSQL, settings, state.

PostgreSQL comes from TEST_POSTGRES_URL (scripts/testenv/up.sh writes it to /tmp/testenv/env);
when it is absent or does not answer, the PostgreSQL cases are skipped with that reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from conveyor.server.settings import Settings, UserCreate
from conveyor.server.startup import ServerState, open_state

ADMIN_TOKEN = "admin-token-0123456789abcdef"


def postgres_url() -> str | None:
    """The test PostgreSQL's URL from the environment or the testenv env file."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if url:
        return url
    env_file = Path(os.environ.get("TESTENV_STATE_DIR", "/tmp/testenv")) / "env"
    if env_file.is_file():
        for line in env_file.read_text().splitlines():
            if line.startswith("export TEST_POSTGRES_URL="):
                return line.partition("=")[2].strip("'\"")
    return None


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """The maintenance database's URL; skips when PostgreSQL is not up."""
    url = postgres_url()
    if not url:
        pytest.skip("PostgreSQL is not configured: run scripts/testenv/up.sh (TEST_POSTGRES_URL)")
    engine = create_engine(url)
    try:
        with engine.connect():
            pass
    except Exception as exc:  # noqa: BLE001 - any driver failure means "not up"
        pytest.skip(f"PostgreSQL at {url} does not answer: {exc.__class__.__name__}")
    finally:
        engine.dispose()
    return url


def _fresh_postgres(admin_url: str) -> Iterator[str]:
    name = f"conveyor_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'conveyor.sqlite'}"
        return
    admin_url = request.getfixturevalue("postgres_admin_url")
    yield from _fresh_postgres(admin_url)


server_db_url = db_url
"""The name the shared brief gives this fixture."""


def make_settings(data_dir: Path, db_url: str, **overrides: object) -> Settings:
    """Settings of a test server whose admin token is ADMIN_TOKEN."""
    values: dict[str, object] = {
        "data_dir": data_dir,
        "database_url": db_url,
        "secret_key_file": data_dir / "secret.key",
        "public_url": "http://127.0.0.1:8080",
        "user_create": UserCreate(login="admin", admin=True, token=ADMIN_TOKEN),
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """Settings on a fresh database of each backend."""
    return make_settings(tmp_path / "data", db_url)


@pytest.fixture
def state(settings: Settings) -> Iterator[ServerState]:
    """The opened server state (migrated database, key, admin user)."""
    opened = open_state(settings)
    yield opened
    opened.engine.dispose()


class Api:
    """A TestClient on the app, with helpers to act as the admin or as another user."""

    def __init__(self, app: FastAPI, client: TestClient, state: ServerState) -> None:
        self.app = app
        self.client = client
        self.state = state
        self.admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    def user(self, login: str, *, admin: bool = False) -> dict[str, str]:
        """Create a user through the API; returns its auth headers."""
        answer = self.client.post(
            "/api/users", json={"login": login, "admin": admin}, headers=self.admin
        )
        assert answer.status_code == 201, answer.text
        return {"Authorization": f"Bearer {answer.json()['token']}"}

    def repo(
        self, slug: str, headers: dict[str, str] | None = None, **body: object
    ) -> dict[str, Any]:
        """Create a repository through the API (as the admin by default)."""
        payload = {"git_http_url": "https://git.example/x.git", **body}
        answer = self.client.post(f"/api/repos/{slug}", json=payload, headers=headers or self.admin)
        assert answer.status_code == 201, answer.text
        result: dict[str, Any] = answer.json()
        return result


@pytest.fixture
def api(settings: Settings, state: ServerState) -> Iterator[Api]:
    """The app in process, on a fresh database of each backend."""
    from conveyor.server.app import create_app

    app = create_app(settings, state)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(app, client, state)
