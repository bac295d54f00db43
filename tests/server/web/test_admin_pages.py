"""Admin pages: agents, the queue with reasons and pause/resume, users (add with a password,
admin flag, deactivate); a 403 page for everyone but system admins."""

from __future__ import annotations

import pytest

from conveyor.server.context import AppContext
from conveyor.server.passwords import verify_password
from conveyor.server.store.models import User
from conveyor.server.users import find_user

from .conftest import Browser
from .settings_support import PASSWORD, field_error, person, record

NEW_PASSWORD = "a-new-users-password-never-shown"


def _user(browser: Browser, login: str) -> User | None:
    ctx = browser.client.app.state.conveyor  # type: ignore[attr-defined]
    assert isinstance(ctx, AppContext)
    with ctx.read() as session:
        return find_user(session, login)


@pytest.mark.parametrize("path", ["/admin/agents", "/admin/queue", "/admin/users"])
def test_admin_pages_are_for_system_admins_only(browser: Browser, path: str) -> None:
    bob = person(browser, "bob")
    answer = bob.client.get(path)
    assert answer.status_code == 403
    assert "text/html" in answer.headers["content-type"]
    browser.sign_in()
    assert browser.client.get(path).status_code == 200


def test_forms_of_admin_pages_refuse_non_admins(browser: Browser) -> None:
    bob = person(browser, "bob")
    assert bob.post("/admin/queue/pause", {}).status_code == 403
    added = bob.post("/admin/users", {"login": "eve", "password": NEW_PASSWORD})
    assert added.status_code == 403
    assert bob.post("/admin/users/bob", {"action": "make-admin"}).status_code == 403
    assert _user(browser, "eve") is None
    bob_now = _user(browser, "bob")
    assert bob_now is not None
    assert bob_now.admin is False
    browser.sign_in()
    assert "Pause the queue" in browser.client.get("/admin/queue").text


def test_agents_page_without_agents(browser: Browser) -> None:
    browser.sign_in()
    assert "No agent has contacted this server yet" in browser.client.get("/admin/agents").text


def test_queue_pause_and_resume(browser: Browser) -> None:
    browser.sign_in()
    assert "Pause the queue" in browser.client.get("/admin/queue").text
    assert browser.post("/admin/queue/pause", {}).status_code == 303
    assert "Resume the queue" in browser.client.get("/admin/queue").text
    assert browser.api("GET", "/api/queue").status_code == 200
    assert browser.post("/admin/queue/resume", {}).status_code == 303
    assert "Pause the queue" in browser.client.get("/admin/queue").text


def test_add_a_user_who_then_signs_in(browser: Browser) -> None:
    bodies = record(browser)
    browser.sign_in()
    form = {"login": "carol", "password": NEW_PASSWORD, "admin": "on"}
    assert browser.post("/admin/users", form).status_code == 303
    carol = _user(browser, "carol")
    assert carol is not None
    assert carol.admin is True
    assert verify_password(carol.password_hash, NEW_PASSWORD)
    assert "carol" in browser.client.get("/admin/users").text
    browser.client.cookies.clear()
    browser.sign_in("carol", NEW_PASSWORD)
    assert browser.client.get("/admin/users").status_code == 200
    assert not [body for body in bodies if NEW_PASSWORD in body]


def test_user_form_errors_are_inline(browser: Browser) -> None:
    bodies = record(browser)
    browser.sign_in()
    bad = browser.post("/admin/users", {"login": "no spaces", "password": NEW_PASSWORD})
    assert bad.status_code == 400
    assert field_error(bad.text, "login")
    assert 'value="no spaces"' in bad.text
    short = browser.post("/admin/users", {"login": "dave", "password": "x"})
    assert short.status_code == 400
    assert "at least 8" in field_error(short.text, "password")
    taken = browser.post("/admin/users", {"login": "admin", "password": NEW_PASSWORD})
    assert "already exists" in field_error(taken.text, "login")
    assert _user(browser, "dave") is None
    assert not [body for body in bodies if NEW_PASSWORD in body]


def test_deactivating_a_user_ends_their_session(browser: Browser) -> None:
    bob = person(browser, "bob")
    browser.sign_in()
    assert browser.post("/admin/users/bob", {"action": "deactivate"}).status_code == 303
    bob_now = _user(browser, "bob")
    assert bob_now is not None
    assert bob_now.active is False
    assert bob.client.get("/account", follow_redirects=False).status_code == 303
    assert browser.post("/admin/users/bob", {"action": "activate"}).status_code == 303
    assert browser.post("/admin/users/bob", {"action": "make-admin"}).status_code == 303
    bob_now = _user(browser, "bob")
    assert bob_now is not None
    assert (bob_now.active, bob_now.admin) == (True, True)
    bob.sign_in("bob", PASSWORD)
    assert bob.client.get("/admin/agents").status_code == 200
    myself = browser.post("/admin/users/admin", {"action": "deactivate"})
    assert myself.status_code == 400
    unknown = browser.post("/admin/users/bob", {"action": "delete-everything"})
    assert unknown.status_code == 400
    assert browser.post("/admin/users/nobody", {"action": "activate"}).status_code == 404
