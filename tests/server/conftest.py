"""Server fixtures: a fresh database per test on SQLite and on PostgreSQL, settings, state.

PostgreSQL comes from TEST_POSTGRES_URL (scripts/testenv/up.sh writes it to /tmp/testenv/env);
when it is absent or does not answer, the PostgreSQL cases are skipped with that reason.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from conveyor.server.settings import Settings, UserCreate
from conveyor.server.startup import ServerState, open_state
from conveyor.server.store.db import make_engine, migrate

ADMIN_TOKEN = "admin-token-0123456789abcdef"
RPC_SECRET = "rpc-secret-0123456789"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5433/postgres"
"""Where scripts/testenv/pg-up.sh starts PostgreSQL when nothing else is configured."""


def postgres_url() -> str:
    """The test PostgreSQL's URL from the environment or the testenv env file."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if url:
        return url
    env_file = Path(os.environ.get("TESTENV_STATE_DIR", "/tmp/testenv")) / "env"
    if env_file.is_file():
        for line in env_file.read_text().splitlines():
            if line.startswith("export TEST_POSTGRES_URL="):
                return line.partition("=")[2].strip("'\"")
    return DEFAULT_POSTGRES_URL


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """The maintenance database's URL; skips when PostgreSQL is not up (fails under CI, which
    must run every case: .ci/run starts it through scripts/testenv/up.sh)."""
    url = postgres_url()
    engine = create_engine(url)
    try:
        with engine.connect():
            pass
    except Exception as exc:  # noqa: BLE001 - any driver failure means "not up"
        reason = (
            f"PostgreSQL at {url} does not answer ({exc.__class__.__name__}): "
            "run scripts/testenv/up.sh"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    finally:
        engine.dispose()
    return url


def _create_database(admin_url: str, template: str | None = None) -> str:
    name = f"conveyor_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        )
    admin.dispose()
    return name


def _drop_database(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _url_of(admin_url: str, name: str) -> str:
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def fresh_postgres(admin_url: str, template: str | None = None) -> Iterator[str]:
    """The URL of a new database (a copy of `template` if given), dropped afterwards; a
    generator, for fixtures and `contextlib.contextmanager`."""
    name = _create_database(admin_url, template)
    try:
        yield _url_of(admin_url, name)
    finally:
        _drop_database(admin_url, name)


_fresh_postgres = fresh_postgres
"""The name bench/server_support.py imports."""


@pytest.fixture(scope="session")
def postgres_template(postgres_admin_url: str) -> Iterator[str]:
    """A PostgreSQL database migrated once; each test copies it (CREATE DATABASE ... TEMPLATE),
    which is much faster than migrating every test's database."""
    name = _create_database(postgres_admin_url)
    engine = make_engine(_url_of(postgres_admin_url, name))
    migrate(engine)
    engine.dispose()
    yield name
    _drop_database(postgres_admin_url, name)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database (no tables), on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'conveyor.sqlite'}"
        return
    yield from fresh_postgres(request.getfixturevalue("postgres_admin_url"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a fresh database of each backend (PostgreSQL's already migrated; the server
    migrates SQLite's at start)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'conveyor.sqlite'}"
        return
    admin_url = request.getfixturevalue("postgres_admin_url")
    yield from fresh_postgres(admin_url, request.getfixturevalue("postgres_template"))


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

    def repo(self, slug: str, headers: dict[str, str] | None = None, **body: Any) -> dict[str, Any]:
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


@pytest.fixture
def rpc_api(tmp_path: Path, db_url: str) -> Iterator[Api]:
    """The app with an RPC secret (RPC_SECRET), on each backend, its lifespan running."""
    from conveyor.server.app import create_app

    settings = make_settings(tmp_path / "data", db_url, rpc_secret=RPC_SECRET)
    state = open_state(settings)
    app = create_app(settings, state)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(app, client, state)
    state.engine.dispose()


@dataclass
class LiveServer:
    """A `conveyor server` subprocess on a free 127.0.0.1 port; its output goes to `log`."""

    url: str
    token: str
    data_dir: Path
    database_url: str
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def headers(self) -> dict[str, str]:
        """The admin's auth headers."""
        return {"Authorization": f"Bearer {self.token}"}

    def start(self, extra_env: dict[str, str] | None = None) -> None:
        """Start (or restart) the server and wait until /healthz answers."""
        port = self.url.rsplit(":", 1)[1]
        env = {
            **os.environ,
            "CONVEYOR_USER_CREATE": f"username:admin,admin:true,token:{self.token}",
            **(extra_env or {}),
        }
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "conveyor.cli.main",
                    "server",
                    "--addr",
                    f"127.0.0.1:{port}",
                    "--data-dir",
                    str(self.data_dir),
                    "--database-url",
                    self.database_url,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"the server did not answer: {self.log.read_text()}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Stop the process with `sig` and wait for it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def live_server(tmp_path: Path, db_url: str) -> Iterator[LiveServer]:
    """A real server process on each backend; the admin's token is ADMIN_TOKEN."""
    server = LiveServer(
        url=f"http://127.0.0.1:{free_port()}",
        token=ADMIN_TOKEN,
        data_dir=tmp_path / "live",
        database_url=db_url,
        log=tmp_path / "server.log",
    )
    server.start()
    yield server
    server.kill(signal.SIGTERM)
