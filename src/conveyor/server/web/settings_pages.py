"""Repository settings pages: /{owner}/{name}/settings (the fields the API's repository update
takes; repository admin, `trusted` and `timeout` for system admins only) and
/{owner}/{name}/settings/registry (a registry login saved as a Docker config.json secret)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from conveyor.server.api.deps import Ctx
from conveyor.server.auth import Access
from conveyor.server.context import AppContext
from conveyor.server.repo_settings import RepoFieldError, apply_changes
from conveyor.server.secret_edit import (
    SecretExistsError,
    SecretNameError,
    add_repo_secret,
    change_secret,
    check_name,
    find_secret,
)
from conveyor.server.secret_store import SecretValueError, repo_scope
from conveyor.server.store.models import Repo
from conveyor.server.web.errors import WebError
from conveyor.server.web.form_errors import FormError
from conveyor.server.web.forms import FormData
from conveyor.server.web.lookup import page_repo
from conveyor.server.web.page_support import CheckedForm
from conveyor.server.web.registry_form import RegistryConfig, build_config, pull_secrets_snippet
from conveyor.server.web.session import UserDep
from conveyor.server.web.settings_form import repo_changes, ticked
from conveyor.server.web.templating import render, see_other

router = APIRouter(include_in_schema=False)
SETTINGS = "/{owner}/{name}/settings"
REGISTRY = SETTINGS + "/registry"
GENERAL_TEXT = (
    "git_http_url",
    "default_branch",
    "config_path",
    "visibility",
    "image_cache_mode",
    "timeout",
)
GENERAL_BOXES = ("protected", "active", "trusted")
REGISTRY_KEPT = ("host", "username", "name")
"""Registry form fields put back after an error (never the password)."""


def _repo_values(repo: Repo) -> dict[str, object]:
    return {
        "git_http_url": repo.git_http_url,
        "default_branch": repo.default_branch,
        "config_path": repo.config_path,
        "visibility": repo.visibility,
        "image_cache_mode": repo.image_cache_mode,
        "protected": repo.protected,
        "active": repo.active,
        "trusted": repo.trusted,
        "timeout": str(repo.timeout),
    }


def _form_values(form: FormData) -> dict[str, object]:
    """What was posted, to put back into the form next to its errors."""
    values: dict[str, object] = {key: form.get(key) for key in GENERAL_TEXT}
    values.update({box: ticked(form, box) for box in GENERAL_BOXES})
    return values


@router.get(SETTINGS)
def general_page(request: Request, ctx: Ctx, caller: UserDep, owner: str, name: str) -> Response:
    """The general settings form with the repository's current values."""
    with ctx.read() as session:
        repo, _ = page_repo(session, caller, owner, name, Access.ADMIN)
    return render(request, "settings/general.html", repo=repo, values=_repo_values(repo), errors={})


@router.post(SETTINGS)
def save_general(
    *, request: Request, ctx: Ctx, caller: UserDep, form: CheckedForm, owner: str, name: str
) -> Response:
    """Save the general settings (303 back to the form), or the form again with its errors."""
    with ctx.tx() as session:
        repo, _ = page_repo(session, caller, owner, name, Access.ADMIN)
        try:
            apply_changes(caller, repo, repo_changes(form, admin=caller.admin))
            errors: dict[str, str] = {}
        except FormError as exc:
            errors = exc.errors
        except RepoFieldError as exc:
            if exc.forbidden:
                raise WebError(403, str(exc)) from None
            errors = {exc.field: exc.reason}
    if errors:
        return render(
            request,
            "settings/general.html",
            status=400,
            repo=repo,
            values=_form_values(form),
            errors=errors,
        )
    return see_other(f"/{repo.slug}/settings", "Settings saved.")


@router.get(REGISTRY)
def registry_page(
    *, request: Request, ctx: Ctx, caller: UserDep, owner: str, name: str, saved: str = ""
) -> Response:
    """The registry login form; after a save (`?saved=NAME`, a secret of the repository) the
    lines for the pipeline."""
    with ctx.read() as session:
        repo, perm = page_repo(session, caller, owner, name, Access.WRITE)
        found = find_secret(session, repo_scope(repo.slug), saved) if saved else None
    shown = found.name if found else ""
    return render(
        request,
        "settings/registry.html",
        repo=repo,
        perm=perm,
        values={},
        errors={},
        saved=shown,
        snippet=pull_secrets_snippet(shown) if shown else "",
    )


@router.post(REGISTRY)
def save_registry(
    *, request: Request, ctx: Ctx, caller: UserDep, form: CheckedForm, owner: str, name: str
) -> Response:
    """Save the login as a repository secret and show how to name it, or the form's errors."""
    with ctx.tx() as session:
        repo, perm = page_repo(session, caller, owner, name, Access.WRITE)
        try:
            saved = _save_login(ctx, session, repo, form)
            errors: dict[str, str] = {}
        except FormError as exc:
            errors = exc.errors
    if errors:
        values: dict[str, object] = {key: form.get(key) for key in REGISTRY_KEPT}
        values.update(replace=ticked(form, "replace"), pull_request=ticked(form, "pull_request"))
        return render(
            request,
            "settings/registry.html",
            status=400,
            repo=repo,
            perm=perm,
            values=values,
            errors=errors,
            saved="",
            snippet="",
        )
    return see_other(f"/{repo.slug}/settings/registry?saved={saved}")


def _login_request(form: FormData) -> tuple[RegistryConfig, str]:
    """The config.json and the secret name the form asks for; FormError naming every field
    that is wrong (the name defaults to one derived from the host)."""
    errors: dict[str, str] = {}
    config: RegistryConfig | None = None
    try:
        config = build_config(
            host=form.get("host"), username=form.get("username"), password=form.get("password")
        )
    except FormError as exc:
        errors.update(exc.errors)
    secret_name = form.get("name").strip() or (config.default_name if config else "")
    try:
        if secret_name or config:
            check_name(secret_name)
    except SecretNameError as exc:
        errors["name"] = str(exc)
    if errors or config is None:
        raise FormError(errors)
    return config, secret_name


def _save_login(ctx: AppContext, session: Session, repo: Repo, form: FormData) -> str:
    """Save the login as a registry secret (replacing one of that name only when asked);
    returns its name. FormError naming the field that stopped it."""
    config, secret_name = _login_request(form)
    pull_request = ticked(form, "pull_request")
    existing = find_secret(session, repo_scope(repo.slug), secret_name)
    try:
        if existing is None:
            add_repo_secret(
                session,
                ctx.cipher,
                repo,
                name=secret_name,
                value=config.text,
                pull_request=pull_request,
                registry=True,
            )
        elif ticked(form, "replace"):
            change_secret(
                ctx.cipher, existing, registry=True, value=config.text, pull_request=pull_request
            )
        else:
            raise SecretExistsError(
                f"a secret named {secret_name} exists: tick Replace, or choose another name"
            )
    except SecretExistsError as exc:
        raise FormError({"name": str(exc)}) from None
    except SecretValueError as exc:
        raise FormError({"host": str(exc)}) from None
    return secret_name
