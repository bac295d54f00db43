"""What the browser tests do on Conveyor's pages, in the words of the agreed interface (field
names, paths, button names), so that a changed page is fixed here once."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.agent.live_support import SLUG
from tests.web.site import WebSite


def submit(page: Page, form: str = "main form") -> None:
    """Press the submit button of the (first) matching form."""
    page.locator(form).first.locator("[type=submit]").first.click()


def add_registry_credential(
    page: Page, site: WebSite, *, host: str, username: str, password: str, name: str
) -> None:
    """Fill and send the registry credential form of acme/widgets."""
    page.goto(site.url(f"/{SLUG}/settings/registry"))
    page.locator("input[name=host]").fill(host)
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("input[name=name]").fill(name)
    submit(page, "form:has(input[name=host])")


def add_secret(page: Page, site: WebSite, name: str, value: str) -> None:
    """Fill and send the add-a-secret form of acme/widgets."""
    page.goto(site.url(f"/{SLUG}/settings/secrets"))
    form = page.locator("form:has(input[name=name]):has([name=value])").first
    form.locator("input[name=name]").fill(name)
    form.locator("[name=value]").fill(value)
    form.locator("[type=submit]").first.click()


def step_of(site: WebSite, number: int, name: str) -> dict[str, Any]:
    """Step `name` of build `number`'s first stage, from the API."""
    build = site.site.api("GET", f"/repos/{SLUG}/builds/{number}")
    for stage in build["stages"]:
        for step in stage["steps"]:
            if step["name"] == name:
                return dict(step)
    raise AssertionError(f"no step {name} in build {number}: {build}")


def press(page: Page, label: str) -> None:
    """Click the button named `label` (case-insensitive) once it is there."""
    button = page.get_by_role("button", name=re.compile(f"^{label}$", re.IGNORECASE))
    expect(button).to_be_visible()
    button.click()


def log_text(page: Page) -> str:
    """The text of the page's main area (where a build's logs are)."""
    return page.locator("main").inner_text()
