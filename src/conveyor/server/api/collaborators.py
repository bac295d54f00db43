"""/api/repos/{owner}/{name}/collaborators: who may read, write or administer a repository."""

from __future__ import annotations

import time

from fastapi import APIRouter
from sqlalchemy import select

from conveyor.server.api.deps import CallerDep, Ctx, find_repo
from conveyor.server.api.errors import not_found
from conveyor.server.api.inputs import CollaboratorBody
from conveyor.server.api.render import JSON, collaborator_json
from conveyor.server.auth import Access
from conveyor.server.store.models import Perm, User
from conveyor.server.users import find_user

router = APIRouter(tags=["collaborators"])
BASE = "/api/repos/{owner}/{name}/collaborators"


@router.get(BASE)
def list_collaborators(ctx: Ctx, caller: CallerDep, owner: str, name: str) -> list[JSON]:
    """Every collaborator of the repository (readers may see them)."""
    with ctx.tx() as session:
        repo, _ = find_repo(session, caller, owner, name, Access.READ)
        rows = session.execute(
            select(Perm, User)
            .join(User, User.id == Perm.user_id)
            .where(Perm.repo_id == repo.id)
            .order_by(User.login)
        )
        return [collaborator_json(perm, user) for perm, user in rows]


@router.get(BASE + "/{login}")
def get_collaborator(ctx: Ctx, caller: CallerDep, owner: str, name: str, login: str) -> JSON:
    """One collaborator."""
    with ctx.tx() as session:
        repo, _ = find_repo(session, caller, owner, name, Access.READ)
        user = find_user(session, login)
        perm = session.get(Perm, (user.id, repo.id)) if user else None
        if user is None or perm is None:
            raise not_found("collaborator")
        return collaborator_json(perm, user)


@router.put(BASE + "/{login}")
def put_collaborator(
    *, ctx: Ctx, caller: CallerDep, owner: str, name: str, login: str, body: CollaboratorBody
) -> JSON:
    """Give a user read, write or admin permission (repository admin)."""
    now = int(time.time())
    with ctx.tx() as session:
        repo, _ = find_repo(session, caller, owner, name, Access.ADMIN)
        user = find_user(session, login)
        if user is None:
            raise not_found("user")
        perm = session.get(Perm, (user.id, repo.id))
        if perm is None:
            perm = Perm(user_id=user.id, repo_id=repo.id, created=now)
            session.add(perm)
        perm.read = body.read or body.write or body.admin
        perm.write = body.write or body.admin
        perm.admin = body.admin
        perm.updated = now
        session.flush()
        return collaborator_json(perm, user)


@router.delete(BASE + "/{login}", status_code=204)
def delete_collaborator(ctx: Ctx, caller: CallerDep, owner: str, name: str, login: str) -> None:
    """Take a user's permission away (repository admin)."""
    with ctx.tx() as session:
        repo, _ = find_repo(session, caller, owner, name, Access.ADMIN)
        user = find_user(session, login)
        perm = session.get(Perm, (user.id, repo.id)) if user else None
        if perm is None:
            raise not_found("collaborator")
        session.delete(perm)
