"""Repository secrets (/api/repos/{o}/{n}/secrets, write permission) and organisation secrets
(/api/secrets/{org}, system admin). Write-only: no answer ever holds a value."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.server.api.deps import NAME, AdminDep, CallerDep, Ctx, find_repo
from conveyor.server.api.errors import ApiError, bad_request, not_found
from conveyor.server.api.inputs import SecretCreateBody, SecretPatchBody
from conveyor.server.api.render import JSON, secret_json
from conveyor.server.auth import Access, Caller
from conveyor.server.context import AppContext
from conveyor.server.secret_edit import (
    SecretExistsError,
    add_repo_secret,
    add_secret,
    change_secret,
    find_secret,
    is_registry_name,
    list_secrets,
)
from conveyor.server.secret_store import SecretValueError, org_scope, repo_scope
from conveyor.server.store.models import Repo, Secret

router = APIRouter(tags=["secrets"])
REPO = "/api/repos/{owner}/{name}/secrets"
ORG = "/api/secrets/{org}"


@contextmanager
def _answers() -> Iterator[None]:
    """The shared rules' errors as API answers: 409 for a taken name, 400 for a bad value."""
    try:
        yield
    except SecretExistsError as exc:
        raise ApiError(409, str(exc)) from None
    except SecretValueError as exc:
        raise bad_request(f"field data: {exc}") from None


def _in_scope(session: Session, scope: str, name: str) -> Secret:
    secret = find_secret(session, scope, name)
    if secret is None:
        raise not_found("secret")
    return secret


def _patch(ctx: AppContext, secret: Secret, body: SecretPatchBody, registry: bool) -> JSON:
    with _answers():
        change_secret(
            ctx.cipher,
            secret,
            registry=registry,
            value=body.data,
            pull_request=body.pull_request,
            pull_request_push=body.pull_request_push,
        )
    return secret_json(secret)


def _list(session: Session, scope: str) -> list[JSON]:
    return [secret_json(s) for s in list_secrets(session, scope)]


def _repo(session: Session, caller: Caller, owner: str, name: str) -> Repo:
    repo, _ = find_repo(session, caller, owner, name, Access.WRITE)
    return repo


@router.get(REPO)
def list_repo_secrets(ctx: Ctx, caller: CallerDep, owner: str, name: str) -> list[JSON]:
    """The repository's secrets, without values."""
    with ctx.read() as session:
        return _list(session, repo_scope(_repo(session, caller, owner, name).slug))


@router.post(REPO, status_code=201)
def post_repo_secret(
    ctx: Ctx, caller: CallerDep, owner: str, name: str, body: SecretCreateBody
) -> JSON:
    """Add a secret to the repository."""
    with ctx.tx() as session:
        repo = _repo(session, caller, owner, name)
        with _answers():
            secret = add_repo_secret(
                session,
                ctx.cipher,
                repo,
                name=body.name,
                value=body.data,
                pull_request=body.pull_request,
                pull_request_push=body.pull_request_push,
            )
        return secret_json(secret)


@router.get(REPO + "/{secret}")
def get_repo_secret(ctx: Ctx, caller: CallerDep, owner: str, name: str, secret: str) -> JSON:
    """One secret, without its value."""
    with ctx.read() as session:
        repo = _repo(session, caller, owner, name)
        return secret_json(_in_scope(session, repo_scope(repo.slug), secret))


@router.patch(REPO + "/{secret}")
def patch_repo_secret(
    *, ctx: Ctx, caller: CallerDep, owner: str, name: str, secret: str, body: SecretPatchBody
) -> JSON:
    """Replace a secret's value or flags."""
    with ctx.tx() as session:
        repo = _repo(session, caller, owner, name)
        row = _in_scope(session, repo_scope(repo.slug), secret)
        return _patch(ctx, row, body, is_registry_name(session, repo, row.name))


@router.delete(REPO + "/{secret}", status_code=204)
def delete_repo_secret(ctx: Ctx, caller: CallerDep, owner: str, name: str, secret: str) -> None:
    """Remove a secret."""
    with ctx.tx() as session:
        repo = _repo(session, caller, owner, name)
        session.delete(_in_scope(session, repo_scope(repo.slug), secret))


def _org(org: str) -> str:
    if not NAME.fullmatch(org):
        raise not_found("organisation")
    return org.lower()


@router.get("/api/secrets")
def list_all_org_secrets(ctx: Ctx, _admin: AdminDep) -> list[JSON]:
    """Every organisation secret (system admin)."""
    with ctx.read() as session:
        rows = session.scalars(
            select(Secret).where(Secret.namespace.is_not(None)).order_by(Secret.scope, Secret.name)
        )
        return [secret_json(s) for s in rows]


@router.get(ORG)
def list_org_secrets(ctx: Ctx, _admin: AdminDep, org: str) -> list[JSON]:
    """An organisation's secrets (system admin)."""
    with ctx.read() as session:
        return _list(session, org_scope(_org(org)))


@router.post(ORG, status_code=201)
def post_org_secret(ctx: Ctx, _admin: AdminDep, org: str, body: SecretCreateBody) -> JSON:
    """Add an organisation secret, used by every repository of that owner (system admin)."""
    namespace = _org(org)
    scope = org_scope(namespace)
    with ctx.tx() as session, _answers():
        secret = add_secret(
            session,
            ctx.cipher,
            scope=scope,
            name=body.name,
            value=body.data,
            registry=False,
            namespace=namespace,
            pull_request=body.pull_request,
            pull_request_push=body.pull_request_push,
        )
        return secret_json(secret)


@router.get(ORG + "/{secret}")
def get_org_secret(ctx: Ctx, _admin: AdminDep, org: str, secret: str) -> JSON:
    """One organisation secret, without its value."""
    with ctx.read() as session:
        return secret_json(_in_scope(session, org_scope(_org(org)), secret))


@router.patch(ORG + "/{secret}")
def patch_org_secret(
    ctx: Ctx, _admin: AdminDep, org: str, secret: str, body: SecretPatchBody
) -> JSON:
    """Replace an organisation secret's value or flags."""
    with ctx.tx() as session:
        return _patch(ctx, _in_scope(session, org_scope(_org(org)), secret), body, False)


@router.delete(ORG + "/{secret}", status_code=204)
def delete_org_secret(ctx: Ctx, _admin: AdminDep, org: str, secret: str) -> None:
    """Remove an organisation secret."""
    with ctx.tx() as session:
        session.delete(_in_scope(session, org_scope(_org(org)), secret))
