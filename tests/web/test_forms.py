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
SETTINGS = f"/{SLUG}/settings"
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
        anchor="value",
        values={"name": "bad name!", "value": VALUE},
        field="name",
        says="name",
        hidden=("value",),
    ),
    "secret-duplicate-name": FormCase(
        path=SECRETS,
        anchor="value",
        values={"name": "token", "value": VALUE},
        field="name",
        says="exists",
        hidden=("value",),
    ),
    "secret-empty-value": FormCase(
        path=SECRETS,
        anchor="value",
        values={"name": "fresh_one", "value": ""},
        field="value",
        says="required",
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
    "registry-bad-secret-name": FormCase(
        path=REGISTRY,
        anchor="host",
        values={
            "host": "registry.example:5000",
            "username": "u",
            "password": VALUE,
            "name": "no spaces allowed",
        },
        field="name",
        says="name",
        hidden=("password",),
    ),
    "registry-name-taken": FormCase(
        path=REGISTRY,
        anchor="host",
        values={
            "host": "registry.example:5000",
            "username": "u",
            "password": VALUE,
            "name": "token",
        },
        field="name",
        says="exists",
        hidden=("password",),
    ),
    "replace-registry-secret-not-config-json": FormCase(
        path=f"{SECRETS}/registry_login",
        anchor="value",
        values={"value": VALUE},
        field="value",
        says="not valid JSON",
        hidden=("value",),
    ),
    "settings-bad-git-url": FormCase(
        path=SETTINGS,
        anchor="git_http_url",
        values={"git_http_url": "not a url"},
        field="git_http_url",
        says="URL",
    ),
    "settings-bad-timeout": FormCase(
        path=SETTINGS,
        anchor="git_http_url",
        values={"timeout": "0"},
        field="timeout",
        says="greater than or equal to 1",
    ),
    "settings-no-branch": FormCase(
        path=SETTINGS,
        anchor="git_http_url",
        values={"default_branch": ""},
        field="default_branch",
        says="required",
    ),
    "user-bad-name": FormCase(
        path="/admin/users",
        anchor="login",
        values={"login": "no spaces please", "password": "a-fine-password-1"},
        field="login",
        says="letters",
        hidden=("password",),
    ),
    "user-exists": FormCase(
        path="/admin/users",
        anchor="login",
        values={"login": LOGIN, "password": "a-fine-password-1"},
        field="login",
        says="exists",
        hidden=("password",),
    ),
    "user-short-password": FormCase(
        path="/admin/users",
        anchor="login",
        values={"login": "newcomer", "password": "short"},
        field="password",
        says="8",
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
        signed_page.locator("form:has([name=value]) input[name=csrf_token]").first.evaluate(
            "(el) => { el.value = 'stale-token'; }"
        )
        answer = send(signed_page, "value", {"name": "fresh_two", "value": VALUE})
        assert answer.status == 403
        expect(signed_page.locator("main")).to_contain_text("reload the page")
        assert VALUE not in signed_page.content()
    finally:
        signed_page.context.close()
