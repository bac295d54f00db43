"""Repository secrets pages under /{owner}/{name}/settings/secrets (write permission, as the
API): the list with the organisation secrets that apply (read-only), add, replace a value or
the pull-request flag, and delete after a confirmation page. Values are never sent back."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from conveyor.server.api.deps import Ctx
from conveyor.server.auth import Access, Caller, Permission
from conveyor.server.secret_edit import (
    SecretExistsError,
    add_repo_secret,
    change_secret,
    find_secret,
    is_registry_name,
    list_secrets,
    org_secrets_for,
)
from conveyor.server.secret_store import SecretValueError, repo_scope
from conveyor.server.store.models import Repo, Secret
from conveyor.server.web.errors import WebError
from conveyor.server.web.form_errors import FormError
from conveyor.server.web.lookup import page_repo
from conveyor.server.web.page_support import CheckedForm
from conveyor.server.web.session import UserDep
from conveyor.server.web.settings_form import new_secret_input, replaced_value, ticked
from conveyor.server.web.templating import render, see_other

router = APIRouter(include_in_schema=False)
SECRETS = "/{owner}/{name}/settings/secrets"
ONE = SECRETS + "/{secret}"


def _list_page(
    request: Request,
    session: Session,
    repo: Repo,
    perm: Permission,
    *,
    values: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    secrets = list_secrets(session, repo_scope(repo.slug))
    return render(
        request,
        "settings/secrets.html",
        status=400 if errors else 200,
        repo=repo,
        perm=perm,
        secrets=secrets,
        org_secrets=org_secrets_for(session, repo),
        repo_names={secret.name for secret in secrets},
        values=values or {},
        errors=errors or {},
    )


@router.get(SECRETS)
def secrets_page(request: Request, ctx: Ctx, caller: UserDep, owner: str, name: str) -> Response:
    """The repository's secrets (names and flags) and the organisation secrets that apply."""
    with ctx.read() as session:
        repo, perm = page_repo(session, caller, owner, name, Access.WRITE)
        return _list_page(request, session, repo, perm)


@router.post(SECRETS)
def add_secret_form(
    *, request: Request, ctx: Ctx, caller: UserDep, form: CheckedForm, owner: str, name: str
) -> Response:
    """Add a secret (303 to the list), or the list with the form's errors (400)."""
    with ctx.tx() as session:
        repo, perm = page_repo(session, caller, owner, name, Access.WRITE)
        try:
            wanted = new_secret_input(form)
            add_repo_secret(
                session,
                ctx.cipher,
                repo,
                name=wanted.name,
                value=wanted.value,
                pull_request=wanted.pull_request,
            )
        except FormError as exc:
            errors = exc.errors
        except SecretExistsError as exc:
            errors = {"name": f"{exc}: replace its value from the list, or choose another name"}
        except SecretValueError as exc:
            errors = {"value": str(exc)}
        else:
            return see_other(f"/{repo.slug}/settings/secrets", f"Secret {wanted.name} added.")
    with ctx.read() as session:
        values = {"name": form.get("name"), "pull_request": ticked(form, "pull_request")}
        return _list_page(request, session, repo, perm, values=values, errors=errors)


def _secret(
    session: Session, caller: Caller, owner: str, name: str, secret: str
) -> tuple[Repo, Permission, Secret]:
    repo, perm = page_repo(session, caller, owner, name, Access.WRITE)
    row = find_secret(session, repo_scope(repo.slug), secret)
    if row is None:
        raise WebError(404, f"{repo.slug} has no secret named {secret[:100]}.")
    return repo, perm, row


@router.get(ONE)
def secret_page(
    *, request: Request, ctx: Ctx, caller: UserDep, owner: str, name: str, secret: str
) -> Response:
    """The form that replaces one secret's value or pull-request flag."""
    with ctx.read() as session:
        repo, perm, row = _secret(session, caller, owner, name, secret)
        registry = is_registry_name(session, repo, row.name)
    return render(
        request,
        "settings/secret.html",
        repo=repo,
        perm=perm,
        secret=row,
        registry=registry,
        values={"pull_request": row.pull_request},
        errors={},
    )


@router.post(ONE)
def change_secret_form(
    *,
    request: Request,
    ctx: Ctx,
    caller: UserDep,
    form: CheckedForm,
    owner: str,
    name: str,
    secret: str,
) -> Response:
    """Replace the value (when one is given) and the pull-request flag."""
    with ctx.tx() as session:
        repo, perm, row = _secret(session, caller, owner, name, secret)
        registry = is_registry_name(session, repo, row.name)
        try:
            change_secret(
                ctx.cipher,
                row,
                registry=registry,
                value=replaced_value(form),
                pull_request=ticked(form, "pull_request"),
            )
        except FormError as exc:
            errors = exc.errors
        except SecretValueError as exc:
            errors = {"value": str(exc)}
        else:
            return see_other(f"/{repo.slug}/settings/secrets", f"Secret {row.name} saved.")
    return render(
        request,
        "settings/secret.html",
        status=400,
        repo=repo,
        perm=perm,
        secret=row,
        registry=registry,
        values={"pull_request": ticked(form, "pull_request")},
        errors=errors,
    )


@router.get(ONE + "/delete")
def delete_page(
    *, request: Request, ctx: Ctx, caller: UserDep, owner: str, name: str, secret: str
) -> Response:
    """Ask before deleting (works without JavaScript)."""
    with ctx.read() as session:
        repo, perm, row = _secret(session, caller, owner, name, secret)
    return render(request, "settings/secret_delete.html", repo=repo, perm=perm, secret=row)


@router.post(ONE + "/delete")
def delete_secret_form(
    *,
    request: Request,
    ctx: Ctx,
    caller: UserDep,
    form: CheckedForm,
    owner: str,
    name: str,
    secret: str,
) -> Response:
    """Delete the secret and go back to the list."""
    del form  # read for its CSRF check
    with ctx.tx() as session:
        repo, _, row = _secret(session, caller, owner, name, secret)
        session.delete(row)
    return see_other(f"/{repo.slug}/settings/secrets", f"Secret {row.name} deleted.")
