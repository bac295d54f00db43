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
ACCOUNT = ("current_password", "new_password", "confirm_password")


def _account(field: str, says: str, current: str, new: str, again: str) -> FormCase:
    values = dict(zip(ACCOUNT, (current, new, again), strict=True))
    return FormCase(
        path="/account", anchor=ACCOUNT[0], values=values, field=field, says=says, hidden=ACCOUNT
    )


def _secret(field: str, says: str, name: str, value: str, path: str = SECRETS) -> FormCase:
    values = {"name": name, "value": value} if name else {"value": value}
    hidden = ("value",) if value else ()
    return FormCase(path=path, anchor="value", values=values, field=field, says=says, hidden=hidden)


def _registry(field: str, says: str, **changes: str) -> FormCase:
    values = {"host": "registry.example:5000", "username": "u", "password": VALUE, **changes}
    hidden = ("password",) if values["password"] else ()
    return FormCase(
        path=REGISTRY, anchor="host", values=values, field=field, says=says, hidden=hidden
    )


def _settings(field: str, says: str, value: str) -> FormCase:
    return FormCase(
        path=SETTINGS, anchor="git_http_url", values={field: value}, field=field, says=says
    )


def _user(field: str, says: str, login: str, password: str) -> FormCase:
    return FormCase(
        path="/admin/users",
        anchor="login",
        values={"login": login, "password": password},
        field=field,
        says=says,
        hidden=("password",),
    )


GOOD = "a-new-pass-1234"
CASES = {
    "account-wrong-current-password": _account(
        "current_password", "not your current password", "not-it-at-all", GOOD, GOOD
    ),
    "account-passwords-differ": _account("confirm_password", "differ", PASSWORD, GOOD, GOOD + "9"),
    "account-short-password": _account("new_password", "8", PASSWORD, "short", "short"),
    "secret-bad-name": _secret("name", "name", "bad name!", VALUE),
    "secret-duplicate-name": _secret("name", "exists", "token", VALUE),
    "secret-empty-value": _secret("value", "required", "fresh_one", ""),
    "replace-registry-secret-not-config-json": _secret(
        "value", "not valid JSON", "", VALUE, path=f"{SECRETS}/registry_login"
    ),
    "registry-bad-host": _registry("host", "https://", host="ftp://registry.example"),
    "registry-no-user": _registry("username", "user name", username=""),
    "registry-no-password": _registry("password", "password", password=""),
    "registry-bad-secret-name": _registry("name", "name", name="no spaces allowed"),
    "registry-name-taken": _registry("name", "exists", name="token"),
    "settings-bad-git-url": _settings("git_http_url", "URL", "not a url"),
    "settings-bad-timeout": _settings("timeout", "greater than or equal to 1", "0"),
    "settings-no-branch": _settings("default_branch", "required", ""),
    "user-bad-name": _user("login", "letters", "no spaces please", "a-fine-password-1"),
    "user-exists": _user("login", "exists", LOGIN, "a-fine-password-1"),
    "user-short-password": _user("password", "8", "newcomer", "short"),
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
