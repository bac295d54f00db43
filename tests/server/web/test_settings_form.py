"""Reading the settings, secret and user forms: the API's rules per field, checkboxes absent
means off, admin-only fields read only for admins, and no value in any error."""

from __future__ import annotations

import pytest

from conveyor.server.web.form_errors import FormError
from conveyor.server.web.forms import FormData
from conveyor.server.web.settings_form import (
    new_secret_input,
    new_user_input,
    replaced_value,
    repo_changes,
)


def _form(fields: dict[str, str]) -> FormData:
    return FormData({name: [value] for name, value in fields.items()})


GENERAL = {
    "git_http_url": "https://git.example/x.git",
    "default_branch": "main",
    "config_path": ".drone.yml",
    "visibility": "private",
    "image_cache_mode": "verify",
    "protected": "on",
}


def test_general_form_reads_every_field_and_unticked_boxes_are_off() -> None:
    changes = repo_changes(_form(GENERAL), admin=False)
    assert changes.protected is True
    assert changes.active is False
    assert (changes.trusted, changes.timeout) == (None, None)
    assert changes.image_cache_mode == "verify"


def test_admin_fields_are_read_from_an_admins_form_only() -> None:
    form = {**GENERAL, "trusted": "on", "timeout": "90"}
    assert repo_changes(_form(form), admin=False).trusted is None
    admin = repo_changes(_form(form), admin=True)
    assert (admin.trusted, admin.timeout) == (True, 90)


def test_general_form_names_each_bad_field() -> None:
    form = {
        **GENERAL,
        "default_branch": "",
        "visibility": "secret",
        "image_cache_mode": "sometimes",
        "timeout": "ninety",
    }
    with pytest.raises(FormError) as caught:
        repo_changes(_form(form), admin=True)
    errors = caught.value.errors
    assert set(errors) == {"default_branch", "visibility", "image_cache_mode", "timeout"}
    assert errors["default_branch"] == "required"
    assert "minutes" in errors["timeout"]
    with pytest.raises(FormError, match="1440"):
        repo_changes(_form({**GENERAL, "timeout": "5000"}), admin=True)


def test_secret_form_checks_name_and_value_and_never_quotes_the_value() -> None:
    made = new_secret_input(_form({"name": " token ", "value": "s3cr3t", "pull_request": "on"}))
    assert (made.name, made.value, made.pull_request) == ("token", "s3cr3t", True)
    assert "s3cr3t" not in repr(made)
    with pytest.raises(FormError) as caught:
        new_secret_input(_form({"name": "bad name!", "value": ""}))
    assert set(caught.value.errors) == {"name", "value"}
    assert caught.value.errors["value"] == "required"
    with pytest.raises(FormError) as nul:
        new_secret_input(_form({"name": "ok", "value": "a\x00b"}))
    assert nul.value.errors == {"value": "must not contain NUL characters"}


def test_replacing_with_an_empty_value_keeps_the_old_one() -> None:
    assert replaced_value(_form({"value": ""})) is None
    assert replaced_value(_form({"value": "new"})) == "new"
    with pytest.raises(FormError, match="65536"):
        replaced_value(_form({"value": "x" * 70000}))


def test_user_form() -> None:
    made = new_user_input(_form({"login": "carol", "password": "pw-long-enough", "admin": "on"}))
    assert (made.login, made.admin) == ("carol", True)
    assert "pw-long-enough" not in repr(made)
    with pytest.raises(FormError) as caught:
        new_user_input(_form({"login": "no spaces please", "password": "x"}))
    assert set(caught.value.errors) == {"login", "password"}
