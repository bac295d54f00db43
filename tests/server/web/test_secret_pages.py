"""The secrets pages: add, replace, delete after a confirmation, organisation secrets shown
read-only, inline errors (invalid name, duplicate name, malformed config.json) with status 400,
and no secret value in any answer."""

from __future__ import annotations

import html

from conveyor.server.context import AppContext
from conveyor.server.secret_edit import find_secret
from conveyor.server.secret_store import decrypt_value, org_scope, repo_scope
from conveyor.server.web.registry_form import build_config

from .conftest import Browser
from .settings_support import field_error, make_repo, person, record

VALUE = "s3cr3t-value-that-must-never-show"
NEW_VALUE = "an0ther-value-that-must-never-show"
APP = repo_scope("octo/app")


def _stored(browser: Browser, scope: str, name: str) -> str | None:
    ctx = browser.client.app.state.conveyor  # type: ignore[attr-defined]
    assert isinstance(ctx, AppContext)
    with ctx.read() as session:
        secret = find_secret(session, scope, name)
        return None if secret is None else decrypt_value(ctx.cipher, secret)


def _flags(browser: Browser, name: str) -> dict[str, object]:
    answer = browser.api("GET", f"/api/repos/octo/app/secrets/{name}")
    assert answer.status_code == 200, answer.text
    found: dict[str, object] = answer.json()
    return found


def test_add_replace_and_delete_a_secret(browser: Browser) -> None:
    make_repo(browser, "octo/app")
    bodies = record(browser)
    browser.sign_in()
    form = {"name": "api_key", "value": VALUE, "pull_request": "on"}
    added = browser.post("/octo/app/settings/secrets", form)
    assert added.status_code == 303
    assert _stored(browser, APP, "api_key") == VALUE
    listing = browser.client.get("/octo/app/settings/secrets")
    assert "<code>api_key</code>" in listing.text
    assert "Secret api_key added." in listing.text
    assert _flags(browser, "api_key")["pull_request"] is True

    assert browser.client.get("/octo/app/settings/secrets/api_key").status_code == 200
    only_flag = browser.post("/octo/app/settings/secrets/api_key", {"value": ""})
    assert only_flag.status_code == 303
    assert _stored(browser, APP, "api_key") == VALUE  # an empty value keeps the old one
    assert _flags(browser, "api_key")["pull_request"] is False
    replaced = browser.post("/octo/app/settings/secrets/api_key", {"value": NEW_VALUE})
    assert replaced.status_code == 303
    assert _stored(browser, APP, "api_key") == NEW_VALUE

    confirm = browser.client.get("/octo/app/settings/secrets/api_key/delete")
    assert confirm.status_code == 200
    assert 'action="/octo/app/settings/secrets/api_key/delete"' in confirm.text
    assert _stored(browser, APP, "api_key") == NEW_VALUE  # asking deletes nothing
    deleted = browser.post("/octo/app/settings/secrets/api_key/delete", {})
    assert deleted.status_code == 303
    assert _stored(browser, APP, "api_key") is None
    assert browser.client.get("/octo/app/settings/secrets/api_key").status_code == 404
    assert len(bodies) > 10
    assert not [body for body in bodies if VALUE in body or NEW_VALUE in body]


def test_invalid_and_duplicate_names_are_named_inline(browser: Browser) -> None:
    make_repo(browser, "octo/app")
    bodies = record(browser)
    browser.sign_in()
    bad = browser.post("/octo/app/settings/secrets", {"name": "no spaces", "value": VALUE})
    assert bad.status_code == 400
    assert "letters, digits" in html.unescape(field_error(bad.text, "name"))
    assert 'value="no spaces"' in bad.text  # the name is kept, the value is not
    ok = browser.post("/octo/app/settings/secrets", {"name": "k", "value": VALUE})
    assert ok.status_code == 303
    again = browser.post("/octo/app/settings/secrets", {"name": "k", "value": NEW_VALUE})
    assert again.status_code == 400
    assert "already exists" in field_error(again.text, "name")
    empty = browser.post("/octo/app/settings/secrets", {"name": "k2", "value": ""})
    assert field_error(empty.text, "value") == "required"
    assert _stored(browser, APP, "k") == VALUE
    assert _stored(browser, APP, "k2") is None
    assert not [body for body in bodies if VALUE in body or NEW_VALUE in body]


def test_a_malformed_docker_config_is_refused_next_to_the_value(browser: Browser) -> None:
    make_repo(browser, "octo/app")
    browser.sign_in()
    broken = '{"auths": {"registry.example": {"auth": "not base64!"}}}'
    answer = browser.post("/octo/app/settings/secrets", {"name": "dockercfg", "value": broken})
    assert answer.status_code == 400
    assert "base64" in html.unescape(field_error(answer.text, "value"))
    assert "not base64!" not in html.unescape(answer.text)
    assert _stored(browser, APP, "dockercfg") is None


def test_organisation_secrets_are_listed_read_only(browser: Browser) -> None:
    make_repo(browser, "octo/app")
    make_repo(browser, "other/app")
    for org, name in (("octo", "org_token"), ("other", "elsewhere")):
        made = browser.api("POST", f"/api/secrets/{org}", json={"name": name, "data": VALUE})
        assert made.status_code == 201
    bodies = record(browser)
    browser.sign_in()
    page = browser.client.get("/octo/app/settings/secrets")
    assert "<code>org_token</code>" in page.text
    assert "elsewhere" not in page.text
    assert "/settings/secrets/org_token" not in page.text  # no replace or delete link
    assert _stored(browser, org_scope("octo"), "org_token") == VALUE
    assert not [body for body in bodies if VALUE in body]


def test_secrets_need_write_permission(browser: Browser) -> None:
    make_repo(browser, "octo/app", visibility="public")
    made = browser.api("POST", "/api/repos/octo/app/secrets", json={"name": "k", "data": VALUE})
    assert made.status_code == 201
    reader = person(browser, "reader")
    bodies = record(reader)
    assert reader.client.get("/octo/app/settings/secrets").status_code == 403
    assert reader.client.get("/octo/app/settings/secrets/k/delete").status_code == 403
    refused = reader.post("/octo/app/settings/secrets/k/delete", {})
    assert refused.status_code == 403
    assert _stored(browser, APP, "k") == VALUE
    assert not [body for body in bodies if VALUE in body]


def test_a_replacement_that_breaks_a_docker_config_keeps_the_old_value(browser: Browser) -> None:
    make_repo(browser, "octo/app")
    good = build_config(host="registry.example", username="ci", password=VALUE).text
    bodies = record(browser)
    browser.sign_in()
    added = browser.post("/octo/app/settings/secrets", {"name": "dockercfg", "value": good})
    assert added.status_code == 303
    broken = '{"auths": {"registry.example": {"auth": "%%%"}}}'
    answer = browser.post(
        "/octo/app/settings/secrets/dockercfg", {"value": broken, "pull_request": "on"}
    )
    assert answer.status_code == 400
    assert "base64" in html.unescape(field_error(answer.text, "value"))
    assert _stored(browser, APP, "dockercfg") == good
    assert _flags(browser, "dockercfg")["pull_request"] is False  # nothing changed
    assert browser.post("/octo/app/settings/secrets/nothere", {}).status_code == 404
    assert not [body for body in bodies if VALUE in body or "%%%" in body]
