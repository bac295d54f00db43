"""The settings screen with the keyboard only (Tab, typing, Enter; no mouse): add a secret and a
registry credential, and every control reached on the way shows where the focus is."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, StorageState, expect

from tests.agent.live_support import SLUG
from tests.web.browser import new_context
from tests.web.site import WebSite

pytestmark = [pytest.mark.browser, pytest.mark.docker]


def tab_to(page: Page, selector: str, limit: int = 80) -> list[str]:
    """Press Tab until the focus is on `selector`; the controls passed (each with a visible
    focus indicator)."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate(
            """(selector) => {
              const el = document.activeElement;
              if (!el || el === document.body) return null;
              const style = getComputedStyle(el);
              const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
              return {here: el.matches(selector), visible: outline || style.boxShadow !== "none",
                      name: el.getAttribute("name") || el.outerHTML.slice(0, 80)};
            }""",
            selector,
        )
        if state is None:
            continue
        assert state["visible"], f"no visible focus on {state['name']}"
        passed.append(state["name"])
        if state["here"]:
            return passed
    raise AssertionError(f"Tab never reached {selector}; passed {passed}")


@pytest.fixture
def keyboard_page(browser: Browser, signed_in: StorageState) -> Page:
    """A signed-in page (shared site)."""
    return new_context(browser, state=signed_in).new_page()


def test_a_secret_is_added_with_the_keyboard_only(
    keyboard_page: Page, shared_site: WebSite
) -> None:
    page = keyboard_page
    try:
        page.goto(shared_site.url(f"/{SLUG}/settings/secrets"))
        tab_to(page, "form:has([name=value]) [name=name]")
        page.keyboard.type("typed_secret")
        tab_to(page, "form:has([name=value]) [name=value]")
        page.keyboard.type("typed-value-0f9e")
        tab_to(page, "form:has([name=value]) [type=submit]")
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_contain_text("typed_secret")
        assert "typed-value-0f9e" not in page.content()
    finally:
        page.context.close()


def test_a_registry_credential_is_added_with_the_keyboard_only(
    keyboard_page: Page, shared_site: WebSite
) -> None:
    page = keyboard_page
    try:
        page.goto(shared_site.url(f"/{SLUG}/settings/registry"))
        for selector, text in (
            ("[name=host]", "registry.example.com:5000"),
            ("[name=username]", "deployer"),
            ("[name=password]", "typed-password-77aa"),
            ("[name=name]", "keyboard_registry"),
        ):
            tab_to(page, f"form:has([name=host]) {selector}")
            page.keyboard.type(text)
        tab_to(page, "form:has([name=host]) [type=submit]")
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_contain_text("Saved as the secret keyboard_registry")
        assert "typed-password-77aa" not in page.content()
    finally:
        page.context.close()
