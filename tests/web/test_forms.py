"""Every form's error path in a real browser: a wrong sign-in, each field rule of the account,
secret, registry credential, settings and admin user forms, and a form whose CSRF token is
stale. Each error is one sentence next to its field, with status 400 (429, 403 where said)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, StorageState, expect

from tests.agent.live_support import SLUG
from tests.web.browser import new_context
from tests.web.forms import FormCase, check_error, send
from tests.web.site import LOGIN, PASSWORD, WebSite

pytestmark = [pytest.mark.browser, pytest.mark.docker]

SECRETS = f"/{SLUG}/settings/secrets"
REGISTRY = f"/{SLUG}/settings/registry"
VALUE = "never-echo-this-value-91c2"
CASES = {
    "account-wrong-current-password": FormCase(
        path="/account",
        anchor="current_password",
        values={
            "current_password": "not-it-at-all",
            "new_password": "a-new-pass-1234",
            "confirm_password": "a-new-pass-1234",
        },
        field="current_password",
        says="not your current password",
        hidden=("current_password", "new_password", "confirm_password"),
    ),
    "account-passwords-differ": FormCase(
        path="/account",
        anchor="current_password",
        values={
            "current_password": PASSWORD,
            "new_password": "a-new-pass-1234",
            "confirm_password": "a-new-pass-9999",
        },
        field="confirm_password",
        says="differ",
        hidden=("current_password", "new_password", "confirm_password"),
    ),
    "account-short-password": FormCase(
        path="/account",
        anchor="current_password",
        values={"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
        field="new_password",
        says="8",
        hidden=("current_password", "new_password", "confirm_password"),
    ),
    "secret-bad-name": FormCase(
        path=SECRETS,
        anchor="data",
        values={"name": "bad name!", "data": VALUE},
        field="name",
        says="name",
        hidden=("data",),
    ),
    "secret-duplicate-name": FormCase(
        path=SECRETS,
        anchor="data",
        values={"name": "token", "data": VALUE},
        field="name",
        says="exists",
        hidden=("data",),
    ),
    "secret-empty-value": FormCase(
        path=SECRETS,
        anchor="data",
        values={"name": "fresh_one", "data": ""},
        field="data",
        says="value",
    ),
    "registry-bad-host": FormCase(
        path=REGISTRY,
        anchor="host",
        values={"host": "ftp://registry.example", "username": "u", "password": VALUE},
        field="host",
        says="https://",
        hidden=("password",),
    ),
    "registry-no-user": FormCase(
        path=REGISTRY,
        anchor="host",
        values={"host": "registry.example:5000", "username": "", "password": VALUE},
        field="username",
        says="user name",
        hidden=("password",),
    ),
    "registry-no-password": FormCase(
        path=REGISTRY,
        anchor="host",
        values={"host": "registry.example:5000", "username": "u", "password": ""},
        field="password",
        says="password",
    ),
}


@pytest.fixture
def signed_page(browser: Browser, signed_in: StorageState) -> Page:
    """A page of a context signed in on the shared site."""
    return new_context(browser, state=signed_in).new_page()


@pytest.mark.parametrize("case", list(CASES))
def test_a_wrong_value_is_explained_next_to_its_field(
    signed_page: Page, shared_site: WebSite, case: str
) -> None:
    form = CASES[case]
    try:
        signed_page.goto(shared_site.url(form.path))
        check_error(signed_page, form, send(signed_page, form.anchor, form.values))
    finally:
        signed_page.context.close()


@pytest.mark.parametrize("login", [LOGIN, "nobody-of-that-name"])
def test_a_wrong_sign_in_says_only_wrong_user_name_or_password(
    browser: Browser, shared_site: WebSite, login: str
) -> None:
    page = new_context(browser).new_page()
    try:
        page.goto(shared_site.url("/login"))
        answer = send(page, "password", {"login": login, "password": "wrong-" + PASSWORD})
        case = FormCase(
            path="/login",
            anchor="password",
            values={"password": "wrong-" + PASSWORD},
            field="password",
            says="wrong user name or password",
            hidden=("password",),
        )
        check_error(page, case, answer)
        expect(page.locator("input[name=login]")).to_have_value(login)
    finally:
        page.context.close()


def test_a_form_with_a_stale_csrf_token_is_refused(signed_page: Page, shared_site: WebSite) -> None:
    try:
        signed_page.goto(shared_site.url(SECRETS))
        signed_page.locator("form:has([name=data]) input[name=csrf_token]").first.evaluate(
            "(el) => { el.value = 'stale-token'; }"
        )
        answer = send(signed_page, "data", {"name": "fresh_two", "data": VALUE})
        assert answer.status == 403
        expect(signed_page.locator("main")).to_contain_text("reload the page")
        assert VALUE not in signed_page.content()
    finally:
        signed_page.context.close()
