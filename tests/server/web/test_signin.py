"""Signing in and out of the web pages: the session cookie, CSRF, the one failure message,
the throttle, deactivated users and safe redirects."""

from __future__ import annotations

from conveyor.server.web.signin import safe_next
from conveyor.server.web.throttle import SignInThrottle

from .conftest import ADMIN_PASSWORD, Browser


def test_pages_need_sign_in_and_come_back_after(browser: Browser) -> None:
    answer = browser.client.get("/account?tab=1", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/account%3Ftab%3D1"
    token = browser.csrf("/login")
    signed = browser.client.post(
        "/login",
        data={
            "login": "admin",
            "password": ADMIN_PASSWORD,
            "next": "/account",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == "/account"
    cookie = signed.headers["set-cookie"]
    assert cookie.startswith("conveyor_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    page = browser.client.get("/account")
    assert page.status_code == 200
    assert "admin" in page.text
    assert ADMIN_PASSWORD not in page.text


def test_wrong_password_and_unknown_user_read_the_same(browser: Browser) -> None:
    wrong = browser.post("/login", {"login": "admin", "password": "nope-nope-nope"})
    unknown = browser.post("/login", {"login": "nobody", "password": "nope-nope-nope"})
    for answer in (wrong, unknown):
        assert answer.status_code == 400
        assert 'id="password-error"' in answer.text
        assert "wrong user name or password" in answer.text
        assert 'aria-describedby="password-error"' in answer.text
        assert "nope-nope-nope" not in answer.text
        assert "conveyor_session=" not in answer.headers.get("set-cookie", "")
    assert 'value="nobody"' in unknown.text  # the user name is kept, the password is not


def test_form_without_the_right_csrf_token_is_refused(browser: Browser) -> None:
    browser.csrf("/login")
    answer = browser.client.post(
        "/login", data={"login": "admin", "password": ADMIN_PASSWORD, "csrf_token": "forged"}
    )
    assert answer.status_code == 403
    assert "text/html" in answer.headers["content-type"]
    assert "reload the page" in answer.text
    fresh = browser.client.post("/login", data={"login": "admin", "password": ADMIN_PASSWORD})
    assert fresh.status_code == 403


def test_sign_out_ends_the_session_even_for_a_copied_cookie(browser: Browser) -> None:
    browser.sign_in()
    cookie = browser.client.cookies.get("conveyor_session")
    assert cookie
    out = browser.post("/logout", {}, token_from="/account")
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    browser.client.cookies.set("conveyor_session", cookie)
    again = browser.client.get("/account", follow_redirects=False)
    assert again.status_code == 303


def test_deactivated_user_is_signed_out(browser: Browser) -> None:
    browser.add_user("carol", "carol-password-1")
    browser.sign_in("carol", "carol-password-1")
    assert browser.client.get("/account").status_code == 200
    off = browser.api("PATCH", "/api/users/carol", json={"active": False})
    assert off.status_code == 200
    assert browser.client.get("/account", follow_redirects=False).status_code == 303
    refused = browser.post("/login", {"login": "carol", "password": "carol-password-1"})
    assert refused.status_code == 400


def test_a_tampered_cookie_is_not_a_session(browser: Browser) -> None:
    browser.sign_in()
    cookie = browser.client.cookies.get("conveyor_session") or ""
    user_id, nonce, signature = cookie.split(".")
    browser.client.cookies.clear()
    browser.client.cookies.set("conveyor_session", f"{int(user_id) + 1}.{nonce}.{signature}")
    assert browser.client.get("/account", follow_redirects=False).status_code == 303


def test_ten_failures_a_minute_give_429(browser: Browser) -> None:
    for _ in range(10):
        assert browser.post("/login", {"login": "admin", "password": "x" * 9}).status_code == 400
    blocked = browser.post("/login", {"login": "admin", "password": ADMIN_PASSWORD})
    assert blocked.status_code == 429
    assert "too many failed sign-ins" in blocked.text
    other = browser.post("/login", {"login": "someone", "password": "x" * 9})
    assert other.status_code == 400


def test_throttle_window_moves_on() -> None:
    throttle = SignInThrottle(limit=2, window=60)
    throttle.failed("Alice", now=100.0)
    throttle.failed("alice", now=110.0)
    assert throttle.blocked("ALICE", now=120.0)
    assert not throttle.blocked("alice", now=161.0)
    throttle.failed("bob", now=100.0)
    throttle.succeeded("bob")
    throttle.failed("bob", now=101.0)
    assert not throttle.blocked("bob", now=102.0)


def test_next_is_only_a_path_on_this_server() -> None:
    assert safe_next("/octo/app/3") == "/octo/app/3"
    assert safe_next("//evil.example/") == "/"
    assert safe_next("/\\evil.example") == "/"
    assert safe_next("https://evil.example/") == "/"
    assert safe_next("/a\nb") == "/"


def test_signed_in_user_skips_the_form(browser: Browser) -> None:
    browser.sign_in()
    answer = browser.client.get("/login?next=/account", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/account"


def test_htmx_requests_may_send_the_token_as_a_header(browser: Browser) -> None:
    browser.sign_in()
    token = browser.csrf("/account")
    answer = browser.client.post(
        "/logout",
        content=b"",
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert browser.client.get("/account", follow_redirects=False).status_code == 303
