"""Every page in a real browser: no serious or critical axe-core violation (WCAG 2.1 A/AA and
best practice) in light and dark, no horizontal scroll at phone width (375 px), of the page or
of a box in it (a table, a form; logs and code excepted), and the
screenshots of docs/web.md (written there with CONVEYOR_UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, StorageState

from tests.agent.live_support import SLUG
from tests.web import axe
from tests.web.browser import PHONE, new_context
from tests.web.conftest import screenshot
from tests.web.site import WebSite

pytestmark = [pytest.mark.browser, pytest.mark.docker]

PAGES = {
    "login": "/login",
    "repositories": "/",
    "builds": f"/{SLUG}",
    "build": f"/{SLUG}/1/1/2",
    "build-lint-failure": f"/{SLUG}/2",
    "settings": f"/{SLUG}/settings",
    "secrets": f"/{SLUG}/settings/secrets",
    "registry": f"/{SLUG}/settings/registry",
    "account": "/account",
    "admin-agents": "/admin/agents",
    "admin-queue": "/admin/queue",
    "admin-users": "/admin/users",
}
"""Each page, by the name of its screenshot."""


def _open(
    browser: Browser, site: WebSite, state: StorageState, name: str, **options: object
) -> Page:
    signed = None if name == "login" else state
    context = new_context(browser, state=signed, **options)  # type: ignore[arg-type]
    page = context.new_page()
    answer = page.goto(site.url(PAGES[name]))
    assert answer is not None
    assert answer.status == 200, f"{PAGES[name]}: {answer.status}"
    page.wait_for_load_state("networkidle")
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_accessibility_violation(
    browser: Browser,
    shared_site: WebSite,
    signed_in: StorageState,
    name: str,
    scheme: str,
    tmp_path: Path,
) -> None:
    page = _open(browser, shared_site, signed_in, name, scheme=scheme)
    try:
        found = axe.violations(page)
        assert not found, f"{PAGES[name]} ({scheme}):\n{axe.describe(found)}"
        screenshot(page, name, scheme, tmp_path)
    finally:
        page.context.close()


def test_axe_checks_the_contrast_label_and_keyboard_rules(
    browser: Browser, shared_site: WebSite, signed_in: StorageState
) -> None:
    page = _open(browser, shared_site, signed_in, "login")
    try:
        checked = axe.rules(page)
    finally:
        page.context.close()
    for rule in ("color-contrast", "label", "button-name", "link-name", "html-has-lang"):
        assert rule in checked


def _wide(page: Page) -> list[str]:
    """The innermost elements that reach past the viewport's right edge."""
    found: list[str] = page.evaluate(
        """(width) => Array.from(document.querySelectorAll("body *"))
            .filter((el) => el.getBoundingClientRect().right > width + 1)
            .filter((el) => !Array.from(el.children).some(
                (child) => child.getBoundingClientRect().right > width + 1))
            .slice(0, 5).map((el) => el.outerHTML.slice(0, 120))""",
        PHONE["width"],
    )
    return found


SCROLLS_SIDEWAYS = "pre, code, .log, .snippet, .diagnostics"
"""Boxes that may scroll sideways at phone width: logs and code keep their lines."""


def _sideways(page: Page) -> list[str]:
    """Boxes (other than logs and code) whose content is wider than they are and scrolls."""
    found: list[str] = page.evaluate(
        """(allowed) => Array.from(document.querySelectorAll("body *"))
            .filter((el) => !el.closest(allowed))
            .filter((el) => el.scrollWidth > el.clientWidth + 1)
            .filter((el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX))
            .slice(0, 5).map((el) => el.outerHTML.slice(0, 120))""",
        SCROLLS_SIDEWAYS,
    )
    return found


@pytest.mark.parametrize("name", list(PAGES))
def test_phone_width_has_no_horizontal_page_scroll(
    browser: Browser, shared_site: WebSite, signed_in: StorageState, name: str, tmp_path: Path
) -> None:
    page = _open(browser, shared_site, signed_in, name, viewport=PHONE)
    try:
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= PHONE["width"], (
            f"{PAGES[name]} is {wide} px wide at {PHONE['width']} px; too wide: {_wide(page)}"
        )
        inner = _sideways(page)
        assert not inner, f"{PAGES[name]} scrolls sideways inside at {PHONE['width']} px: {inner}"
        if name in {"build", "repositories", "secrets"}:
            screenshot(page, f"{name}-phone", "light", tmp_path)
    finally:
        page.context.close()
