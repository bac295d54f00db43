"""The repository settings page: saved values as the API sees them, admin-only fields, inline
errors with status 400 and the values kept, and the same permissions as the API."""

from __future__ import annotations

import html

from .conftest import Browser
from .settings_support import field_error, make_repo, person

FORM = {
    "git_http_url": "https://git.example/octo/app.git",
    "default_branch": "trunk",
    "config_path": "ci/.drone.yml",
    "visibility": "internal",
    "image_cache_mode": "always-pull",
    "protected": "on",
    "active": "on",
}


def _repo(browser: Browser) -> dict[str, object]:
    answer = browser.api("GET", "/api/repos/octo/app")
    assert answer.status_code == 200
    found: dict[str, object] = answer.json()
    return found


def _grant(browser: Browser, login: str, **perm: bool) -> None:
    put = browser.api("PUT", f"/api/repos/octo/app/collaborators/{login}", json=perm)
    assert put.status_code == 200, put.text


def test_a_repo_admin_saves_the_general_settings(browser: Browser) -> None:
    make_repo(browser, "octo/app")
    alice = person(browser, "alice")
    _grant(browser, "alice", admin=True)
    page = alice.client.get("/octo/app/settings")
    assert page.status_code == 200
    assert 'value="/git/x"' in page.text
    assert 'id="trusted"' not in page.text  # only system admins see trusted and timeout
    saved = alice.post("/octo/app/settings", FORM, token_from="/octo/app/settings")
    assert saved.status_code == 303
    assert saved.headers["location"] == "/octo/app/settings"
    general = alice.client.get("/octo/app/settings").text
    assert "Settings saved." in general
    assert ">General</a>" in general
    repo = _repo(browser)
    assert (repo["default_branch"], repo["config_path"], repo["visibility"]) == (
        "trunk",
        "ci/.drone.yml",
        "internal",
    )
    assert (repo["protected"], repo["active"], repo["image_cache_mode"]) == (
        True,
        True,
        "always-pull",
    )
    assert (repo["trusted"], repo["timeout"]) == (False, 60)
    unticked = {key: value for key, value in FORM.items() if key != "protected"}
    assert alice.post("/octo/app/settings", unticked).status_code == 303
    assert _repo(browser)["protected"] is False


def test_only_a_system_admin_sets_trusted_and_timeout(browser: Browser) -> None:
    make_repo(browser, "octo/app")
    alice = person(browser, "alice")
    _grant(browser, "alice", admin=True)
    forged = alice.post("/octo/app/settings", {**FORM, "trusted": "on", "timeout": "5"})
    assert forged.status_code == 303  # the fields are not read from a non-admin's form
    assert (_repo(browser)["trusted"], _repo(browser)["timeout"]) == (False, 60)
    browser.sign_in()
    page = browser.client.get("/octo/app/settings")
    assert 'id="trusted"' in page.text
    assert 'id="timeout"' in page.text
    saved = browser.post("/octo/app/settings", {**FORM, "trusted": "on", "timeout": "90"})
    assert saved.status_code == 303
    assert (_repo(browser)["trusted"], _repo(browser)["timeout"]) == (True, 90)


def test_bad_fields_are_named_inline_with_status_400_and_values_kept(browser: Browser) -> None:
    make_repo(browser, "octo/app")
    browser.sign_in()
    bad = browser.post(
        "/octo/app/settings",
        {**FORM, "default_branch": "", "git_http_url": "ssh://nope", "timeout": "forever"},
    )
    assert bad.status_code == 400
    assert field_error(bad.text, "default_branch") == "required"
    assert "minutes" in field_error(bad.text, "timeout")
    assert 'aria-describedby="default_branch-error"' in bad.text
    assert 'value="ci/.drone.yml"' in bad.text  # what was typed stays
    assert 'value="forever"' in bad.text
    url = browser.post("/octo/app/settings", {**FORM, "git_http_url": "ssh://nope", "timeout": "9"})
    assert url.status_code == 400
    assert "file://" in html.unescape(field_error(url.text, "git_http_url"))
    assert 'value="ssh://nope"' in url.text
    assert _repo(browser)["default_branch"] == "main"  # nothing saved


def test_settings_need_repository_admin_as_in_the_api(browser: Browser) -> None:
    make_repo(browser, "octo/app")
    make_repo(browser, "octo/open", visibility="public")
    bob = person(browser, "bob")
    missing = bob.client.get("/octo/app/settings")
    assert missing.status_code == 404  # private: not even visible
    assert "text/html" in missing.headers["content-type"]
    assert bob.client.get("/octo/open/settings").status_code == 403
    _grant(browser, "bob", write=True)
    assert bob.client.get("/octo/app/settings").status_code == 403
    secrets = bob.client.get("/octo/app/settings/secrets")
    assert secrets.status_code == 200  # secrets need write
    assert ">General</a>" not in secrets.text  # no tab that would only answer 403
    assert 'href="/octo/app/settings/secrets"' in bob.client.get("/octo/app").text
    refused = bob.post("/octo/app/settings", FORM)
    assert refused.status_code == 403
    assert _repo(browser)["default_branch"] == "main"
    assert bob.client.get("/static/app/settings").status_code == 404  # a server path
    signed_out = browser.client.get("/octo/app/settings", follow_redirects=False)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/login?next=/octo/app/settings"


def test_a_form_without_the_csrf_token_is_refused(browser: Browser) -> None:
    make_repo(browser, "octo/app")
    browser.sign_in()
    answer = browser.client.post("/octo/app/settings", data=FORM)
    assert answer.status_code == 403
    assert _repo(browser)["default_branch"] == "main"
