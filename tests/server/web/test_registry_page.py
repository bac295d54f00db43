"""The registry login form: saves a valid Docker config.json secret under a default or chosen
name, shows the image_pull_secrets lines, names wrong fields inline (400), refuses a taken name
unless Replace is ticked, and never sends the password back."""

from __future__ import annotations

import base64
import html
import json
from typing import Any

from conveyor.server.context import AppContext
from conveyor.server.secret_edit import find_secret
from conveyor.server.secret_store import decrypt_value, repo_scope

from .conftest import Browser
from .settings_support import field_error, make_repo, person, record

PASSWORD = "registry-pass-never-shown"
PAGE = "/octo/app/settings/registry"


def _config(browser: Browser, name: str) -> Any:
    ctx = browser.client.app.state.conveyor  # type: ignore[attr-defined]
    assert isinstance(ctx, AppContext)
    with ctx.read() as session:
        secret = find_secret(session, repo_scope("octo/app"), name)
        return None if secret is None else json.loads(decrypt_value(ctx.cipher, secret))


def test_a_login_becomes_a_config_json_secret_and_the_snippet_is_shown(browser: Browser) -> None:
    make_repo(browser, "octo/app")
    bodies = record(browser)
    browser.sign_in()
    form = {"host": "http://127.0.0.1:5001/", "username": "ci", "password": PASSWORD}
    saved = browser.post(PAGE, form)
    assert saved.status_code == 303
    location = saved.headers["location"]
    assert location == f"{PAGE}?saved=docker_config_127_0_0_1_5001"
    page = browser.client.get(location)
    assert "image_pull_secrets:\n- docker_config_127_0_0_1_5001" in html.unescape(page.text)
    config = _config(browser, "docker_config_127_0_0_1_5001")
    auth = config["auths"]["127.0.0.1:5001"]["auth"]
    assert base64.b64decode(auth).decode() == f"ci:{PASSWORD}"
    unknown = browser.client.get(f"{PAGE}?saved=not_a_secret_here")
    assert "not_a_secret_here" not in unknown.text
    listed = browser.api("GET", "/api/repos/octo/app/secrets").json()
    assert [secret["name"] for secret in listed] == ["docker_config_127_0_0_1_5001"]
    assert not [body for body in bodies if PASSWORD in body or auth in body]


def test_a_chosen_name_and_replacing(browser: Browser) -> None:
    make_repo(browser, "octo/app")
    browser.sign_in()
    form = {"host": "docker.io", "username": "me", "password": PASSWORD, "name": "hub"}
    assert browser.post(PAGE, form).status_code == 303
    assert _config(browser, "hub") is not None
    taken = browser.post(PAGE, {**form, "username": "other"})
    assert taken.status_code == 400
    assert "tick Replace" in field_error(taken.text, "name")
    replaced = browser.post(PAGE, {**form, "username": "other", "replace": "on"})
    assert replaced.status_code == 303
    auth = _config(browser, "hub")["auths"]["https://index.docker.io/v1/"]["auth"]
    assert base64.b64decode(auth).decode().startswith("other:")


def test_wrong_fields_are_named_and_the_password_is_not_kept(browser: Browser) -> None:
    make_repo(browser, "octo/app")
    browser.sign_in()
    form = {"host": "registry.example/team", "username": "a:b", "password": PASSWORD, "name": "x y"}
    bad = browser.post(PAGE, form)
    assert bad.status_code == 400
    assert "without a path" in field_error(bad.text, "host")
    assert "':'" in html.unescape(field_error(bad.text, "username"))
    assert "letters, digits" in html.unescape(field_error(bad.text, "name"))
    assert 'value="registry.example/team"' in bad.text
    assert PASSWORD not in bad.text
    empty = browser.post(PAGE, {"host": "", "username": "", "password": ""})
    assert all(field_error(empty.text, field) for field in ("host", "username", "password"))
    assert browser.api("GET", "/api/repos/octo/app/secrets").json() == []


def test_the_registry_form_needs_write_permission(browser: Browser) -> None:
    make_repo(browser, "octo/app", visibility="public")
    reader = person(browser, "reader")
    assert reader.client.get(PAGE).status_code == 403
    refused = reader.post(PAGE, {"host": "docker.io", "username": "me", "password": PASSWORD})
    assert refused.status_code == 403
    assert PASSWORD not in refused.text
    assert browser.api("GET", "/api/repos/octo/app/secrets").json() == []
