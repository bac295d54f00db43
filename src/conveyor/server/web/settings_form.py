"""The forms of the repository settings and user pages, read into the values the shared server
functions take. Fields are checked by the REST API's own body models, so a form accepts exactly
what the API accepts; a checkbox left unticked is sent by no browser, so absent means off."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from conveyor.server.api.inputs import (
    RepoPatchBody,
    SecretCreateBody,
    SecretPatchBody,
    UserCreateBody,
)
from conveyor.server.passwords import PasswordRuleError, check_new_password
from conveyor.server.repo_settings import RepoChanges
from conveyor.server.secret_edit import SecretNameError, check_name
from conveyor.server.users import UserInputError, check_login
from conveyor.server.web.form_errors import FormError, from_validation
from conveyor.server.web.forms import FormData

TEXT_FIELDS = ("git_http_url", "default_branch", "config_path")
CHOICE_FIELDS = ("visibility", "image_cache_mode")
BOX_FIELDS = ("protected", "active")
TIMEOUT_MAX = 1440


def ticked(form: FormData, name: str) -> bool:
    """Whether the checkbox `name` was ticked."""
    return form.has(name)


def repo_changes(form: FormData, *, admin: bool) -> RepoChanges:
    """The general settings form as changes; `trusted` and `timeout` are read only from a
    system admin's form (others never see those fields). FormError per bad field."""
    data: dict[str, object] = {name: form.get(name) for name in TEXT_FIELDS + CHOICE_FIELDS}
    data.update({name: ticked(form, name) for name in BOX_FIELDS})
    errors: dict[str, str] = {}
    if admin:
        data["trusted"] = ticked(form, "trusted")
        text = form.get("timeout").strip()
        if text.isascii() and text.isdigit():
            data["timeout"] = int(text)
        else:
            errors["timeout"] = f"a whole number of minutes from 1 to {TIMEOUT_MAX}"
    try:
        body = RepoPatchBody.model_validate(data)
    except ValidationError as exc:
        errors = {**from_validation(exc).errors, **errors}
    if errors:
        raise FormError(errors)
    return RepoChanges(**body.model_dump(mode="json"))


@dataclass(frozen=True, slots=True, kw_only=True)
class SecretInput:
    """A secret's name, value and pull-request flag from a form (the value never in a repr)."""

    name: str
    value: str = field(repr=False)
    pull_request: bool


def new_secret_input(form: FormData) -> SecretInput:
    """The "add a secret" form; FormError naming `name` or `value`."""
    name = form.get("name").strip()
    value = form.get("value")
    errors: dict[str, str] = {}
    try:
        check_name(name)
    except SecretNameError as exc:
        errors["name"] = str(exc)
    try:
        SecretCreateBody.model_validate({"name": name or "x", "data": value})
    except ValidationError as exc:
        errors.update(_as_value_errors(exc))
    if errors:
        raise FormError(errors)
    return SecretInput(name=name, value=value, pull_request=ticked(form, "pull_request"))


def replaced_value(form: FormData) -> str | None:
    """The "replace the value" field: None when left empty (only the flag changes)."""
    value = form.get("value")
    if not value:
        return None
    try:
        SecretPatchBody.model_validate({"data": value})
    except ValidationError as exc:
        raise FormError(_as_value_errors(exc)) from None
    return value


def _as_value_errors(exc: ValidationError) -> dict[str, str]:
    errors = from_validation(exc).errors
    return {"value": errors["data"]} if "data" in errors else {}


@dataclass(frozen=True, slots=True, kw_only=True)
class UserInput:
    """The "add a user" form (the password never in a repr)."""

    login: str
    password: str = field(repr=False)
    admin: bool


def new_user_input(form: FormData) -> UserInput:
    """The "add a user" form: the login checked by the API's body model and the user rules,
    the password by the password rules; FormError naming `login` and/or `password`."""
    login = form.get("login").strip()
    password = form.get("password")
    errors: dict[str, str] = {}
    try:
        UserCreateBody.model_validate({"login": login})
        check_login(login)
    except ValidationError as exc:
        errors.update(from_validation(exc).errors)
    except UserInputError:
        errors["login"] = "letters, digits, '.', '_' or '-' (at most 250)"
    try:
        check_new_password(password)
    except PasswordRuleError as exc:
        errors["password"] = str(exc)
    if errors:
        raise FormError(errors)
    return UserInput(login=login, password=password, admin=ticked(form, "admin"))
