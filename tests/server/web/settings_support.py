"""Helpers of the settings and admin page tests: more signed-in people on the same app (each a
Browser with its own cookies), every answer's body recorded for the "no secret in any page"
checks, and the inline error of a field."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

from .conftest import Browser

PASSWORD = "user-password-0123"


def record(browser: Browser) -> list[str]:
    """Every body `browser` receives from now on (pages, redirects, errors)."""
    bodies: list[str] = []

    def keep(response: httpx.Response) -> None:
        response.read()
        bodies.append(response.text)

    browser.client.event_hooks["response"].append(keep)
    return bodies


def person(browser: Browser, login: str, *, admin: bool = False) -> Browser:
    """A new user with PASSWORD, signed in on a browser of their own (same app)."""
    browser.add_user(login, PASSWORD, admin=admin)
    headers = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}  # as a browser sends
    client = TestClient(browser.client.app, raise_server_exceptions=False, headers=headers)
    other = Browser(client, browser.state)
    other.sign_in(login, PASSWORD)
    return other


def field_error(html: str, field: str) -> str:
    """The text of the inline error next to `field`, or "" when there is none."""
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    return found.group(1) if found else ""


def make_repo(browser: Browser, slug: str, **body: object) -> None:
    """Create a repository through the API as the admin."""
    made = browser.api("POST", f"/api/repos/{slug}", json={"git_http_url": "/git/x", **body})
    assert made.status_code == 201, made.text
