"""The account page: rotating the API token (shown once) and changing the password."""

from __future__ import annotations

import re

from .conftest import ADMIN_PASSWORD, Browser

TOKEN = re.compile(r'id="new-token" type="text" readonly value="([^"]+)"')


def test_rotate_token_shows_it_once_and_the_old_one_stops(browser: Browser) -> None:
    browser.sign_in()
    answer = browser.post("/account/token", {})
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    found = TOKEN.search(answer.text)
    assert found
    token = found.group(1)
    assert browser.api("GET", "/api/user").status_code == 401  # the old admin token
    me = browser.client.get("/api/user", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["login"] == "admin"
    assert token not in browser.client.get("/account").text


def test_change_password_errors_are_next_to_their_fields(browser: Browser) -> None:
    browser.sign_in()
    wrong = browser.post(
        "/account/password",
        {"current_password": "not-it-at-all", "new_password": "short", "confirm_password": ""},
    )
    assert wrong.status_code == 400
    assert 'id="current_password-error"' in wrong.text
    assert 'id="new_password-error"' in wrong.text
    assert "at least 8 characters" in wrong.text
    assert "not-it-at-all" not in wrong.text
    differ = browser.post(
        "/account/password",
        {
            "current_password": ADMIN_PASSWORD,
            "new_password": "new-password-1",
            "confirm_password": "new-password-2",
        },
    )
    assert differ.status_code == 400
    assert 'id="confirm_password-error"' in differ.text


def test_change_password_signs_out_other_browsers(browser: Browser) -> None:
    browser.sign_in()
    first = browser.client.cookies.get("conveyor_session")
    browser.client.cookies.clear()
    browser.sign_in()  # a second browser
    second = browser.client.cookies.get("conveyor_session")
    changed = browser.post(
        "/account/password",
        {
            "current_password": ADMIN_PASSWORD,
            "new_password": "brand-new-password",
            "confirm_password": "brand-new-password",
        },
    )
    assert changed.status_code == 303
    assert "password was changed" in browser.client.get("/account").text
    browser.client.cookies.set("conveyor_session", first or "")
    assert browser.client.get("/account", follow_redirects=False).status_code == 303
    browser.client.cookies.set("conveyor_session", second or "")
    assert browser.client.get("/account", follow_redirects=False).status_code == 200
    browser.client.cookies.clear()
    assert browser.post("/login", {"login": "admin", "password": ADMIN_PASSWORD}).status_code == 400
    browser.sign_in("admin", "brand-new-password")
