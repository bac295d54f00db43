"""Web page fixtures: the app in process with an admin who has a password, and a browser-like
client that keeps cookies, reads CSRF tokens from pages and signs in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from conveyor.server.settings import Settings, UserCreate
from conveyor.server.startup import ServerState, open_state

from ..conftest import ADMIN_TOKEN, RPC_SECRET, Api, make_settings

ADMIN_PASSWORD = "admin-password-0123"
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


class Browser:
    """A TestClient used like a browser: cookies kept, forms posted with their CSRF token."""

    def __init__(self, client: TestClient, state: ServerState) -> None:
        self.client = client
        self.state = state
        self.admin_headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    @property
    def as_api(self) -> Api:
        """The same client as the server tests' `Api` helper (for their support modules)."""
        return Api(self.client.app, self.client, self.state)  # type: ignore[arg-type]

    def csrf(self, path: str = "/login") -> str:
        """The CSRF token of the page at `path` (sets the pre-sign-in cookie if needed)."""
        page = self.client.get(path)
        found = CSRF.search(page.text)
        assert found, page.text
        return found.group(1)

    def post(
        self, path: str, data: dict[str, str], *, token_from: str | None = None
    ) -> httpx.Response:
        """POST a form to `path` with the CSRF token of `token_from` (default: `path`'s page
        when it is a GET page, else /account or /login)."""
        token = self.csrf(token_from or self._page_for(path))
        answer: httpx.Response = self.client.post(
            path, data={**data, "csrf_token": token}, follow_redirects=False
        )
        return answer

    def _page_for(self, path: str) -> str:
        if path == "/login":
            return "/login"
        return "/account" if self.signed_in() else "/login"

    def signed_in(self) -> bool:
        answer: httpx.Response = self.client.get("/account", follow_redirects=False)
        return answer.status_code == 200

    def sign_in(self, login: str = "admin", password: str = ADMIN_PASSWORD) -> httpx.Response:
        """Sign in through the form; asserts the 303 that means success."""
        answer = self.post("/login", {"login": login, "password": password, "next": "/"})
        assert answer.status_code == 303, answer.text
        return answer

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Call the REST API as the admin (with the token, not the cookie)."""
        answer: httpx.Response = self.client.request(
            method, path, headers=self.admin_headers, **kwargs
        )
        return answer

    def add_user(self, login: str, password: str, *, admin: bool = False) -> None:
        """A user with a password (through the store: the API sets no passwords)."""
        from conveyor.server.store.models import User
        from conveyor.server.users import find_user, set_password

        made = self.api("POST", "/api/users", json={"login": login, "admin": admin})
        assert made.status_code == 201, made.text
        ctx = self.client.app.state.conveyor  # type: ignore[attr-defined]
        with ctx.tx() as session:
            user = find_user(session, login)
            assert isinstance(user, User)
            set_password(user, password)


def web_settings(tmp_path: Path, db_url: str) -> Settings:
    """Settings whose admin has ADMIN_TOKEN and ADMIN_PASSWORD; agents send RPC_SECRET."""
    admin = UserCreate(login="admin", admin=True, token=ADMIN_TOKEN, password=ADMIN_PASSWORD)
    return make_settings(tmp_path / "data", db_url, user_create=admin, rpc_secret=RPC_SECRET)


def open_browser(tmp_path: Path, db_url: str) -> Iterator[Browser]:
    """A Browser on a new app (lifespan running) over `db_url`."""
    from conveyor.server.app import create_app

    settings = web_settings(tmp_path, db_url)
    state = open_state(settings)
    app = create_app(settings, state)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Browser(client, state)
    state.engine.dispose()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    """A Browser on SQLite (the page logic does not depend on the database)."""
    yield from open_browser(tmp_path, f"sqlite:///{tmp_path / 'web.sqlite'}")


@pytest.fixture
def any_db_browser(tmp_path: Path, db_url: str) -> Iterator[Browser]:
    """A Browser on each backend (SQLite and PostgreSQL)."""
    yield from open_browser(tmp_path, db_url)
