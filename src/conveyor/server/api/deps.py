"""Request dependencies: the app context, the authenticated caller, and a repository looked up
with the permission an operation needs (404 when the caller may not even read it, 403 when it
may read but not do this).

The dependencies are `async`: FastAPI runs a sync dependency in a worker thread, and that hop
costs more than the one indexed read that authentication is (docs/perf/server.md)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from conveyor.server.api.errors import ApiError, forbidden, not_found
from conveyor.server.auth import (
    Access,
    Caller,
    Permission,
    authenticate,
    permission_of,
    token_of,
)
from conveyor.server.context import AppContext
from conveyor.server.store.models import Perm, Repo

NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,249}", re.ASCII)
"""An owner, repository or organisation name; no '/', no leading '.' (so never '..')."""


def context_of(request: Request) -> AppContext:
    """The context `create_app` stored on the app."""
    ctx = request.app.state.conveyor
    assert isinstance(ctx, AppContext)
    return ctx


async def app_context(request: Request) -> AppContext:
    """`context_of` as a dependency (async: no thread hop)."""
    return context_of(request)


Ctx = Annotated[AppContext, Depends(app_context)]


def not_valid() -> ApiError:
    """401 for a token that is not (or no longer) any active user's."""
    return ApiError(401, "unauthorized: the token is not valid")


def bearer(request: Request) -> str:
    """The request's token; 401 without one."""
    token = token_of(request.headers, request.query_params)
    if token is None:
        raise ApiError(401, "unauthorized: send Authorization: Bearer TOKEN")
    return token


async def current_caller(request: Request, ctx: Ctx) -> Caller:
    """The authenticated caller; 401 without a valid token. The lookup runs on the event loop:
    one read of a unique index, which never waits for a writer (WAL on SQLite, autocommit
    reads on PostgreSQL)."""
    token = bearer(request)
    with ctx.reading() as connection:
        caller = authenticate(connection, token)
    if caller is None:
        raise not_valid()
    return caller


CallerDep = Annotated[Caller, Depends(current_caller)]


async def system_admin(caller: CallerDep) -> Caller:
    """The caller when it is a system admin; 403 otherwise."""
    if not caller.admin:
        raise forbidden("only a system admin may do this")
    return caller


AdminDep = Annotated[Caller, Depends(system_admin)]


def slug_of(owner: str, name: str) -> str:
    """`owner/name` lower-cased; 404 for names that cannot exist (traversal, odd bytes)."""
    slug = valid_slug(owner, name)
    if slug is None:
        raise not_found("repository")
    return slug


def valid_slug(owner: str, name: str) -> str | None:
    """`owner/name` lower-cased, or None for names that cannot exist."""
    if not NAME.fullmatch(owner) or not NAME.fullmatch(name):
        return None
    return f"{owner}/{name}".lower()


def find_repo(
    session: Session, caller: Caller, owner: str, name: str, need: Access
) -> tuple[Repo, Permission]:
    """The repository and the caller's permission; 404 if unreadable, 403 if not enough."""
    mine = and_(Perm.repo_id == Repo.id, Perm.user_id == caller.id)
    query = select(Repo, Perm).outerjoin(Perm, mine).where(Repo.slug == slug_of(owner, name))
    found = session.execute(query).one_or_none()  # one round trip for repository and perm
    if found is None:
        raise not_found("repository")
    repo, row = found
    perm = permission_of(caller, repo, row)
    check_access(perm, need, repo.slug)
    return repo, perm


def check_access(perm: Permission, need: Access, slug: str) -> None:
    """404 when `perm` may not even read the repository, 403 when it does not cover `need`."""
    if not perm.read:
        raise not_found("repository")
    if not perm.allows(need):
        raise forbidden(f"you need {need.value} permission on {slug}")
