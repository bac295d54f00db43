"""/api/user and /api/users: the caller, its token, and user management by system admins."""

from __future__ import annotations

import time

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.server.api.deps import AdminDep, CallerDep, Ctx
from conveyor.server.api.errors import ApiError, bad_request, not_found
from conveyor.server.api.inputs import UserCreateBody, UserPatchBody
from conveyor.server.api.render import JSON, user_json
from conveyor.server.store.models import User
from conveyor.server.users import UserInputError, create_user, find_user, rotate_token

router = APIRouter(tags=["users"])


@router.get("/api/user")
def get_self(ctx: Ctx, caller: CallerDep) -> JSON:
    """The caller."""
    with ctx.tx() as session:
        user = session.get(User, caller.id)
        assert user is not None
        return user_json(user)


@router.post("/api/user/token")
def post_token(ctx: Ctx, caller: CallerDep, rotate: bool = False) -> JSON:
    """A new token for the caller (`?rotate=true`); the old one stops working."""
    if not rotate:
        raise bad_request(
            "field rotate: tokens are stored hashed and cannot be shown again; "
            "use ?rotate=true for a new one"
        )
    with ctx.tx() as session:
        user = session.get(User, caller.id)
        assert user is not None
        return {"token": rotate_token(user)}


@router.get("/api/users")
def list_users(ctx: Ctx, _admin: AdminDep) -> list[JSON]:
    """Every user (system admin)."""
    with ctx.tx() as session:
        return [user_json(u) for u in session.scalars(select(User).order_by(User.login))]


@router.post("/api/users", status_code=201)
def post_user(ctx: Ctx, _admin: AdminDep, body: UserCreateBody) -> JSON:
    """Create a user; the answer holds its token, once (system admin)."""
    with ctx.tx() as session:
        if find_user(session, body.login) is not None:
            raise ApiError(409, f"user {body.login} already exists")
        try:
            user, token = create_user(
                session,
                login=body.login,
                admin=body.admin,
                machine=body.machine,
                email=body.email,
                token=body.token,
            )
        except UserInputError as exc:
            raise bad_request(f"field login: {exc}") from None
        user.active = body.active
        return {**user_json(user), "token": token}


@router.get("/api/users/{login}")
def get_user(ctx: Ctx, _admin: AdminDep, login: str) -> JSON:
    """One user (system admin)."""
    with ctx.tx() as session:
        return user_json(_user(session, login))


@router.patch("/api/users/{login}")
def patch_user(ctx: Ctx, _admin: AdminDep, login: str, body: UserPatchBody) -> JSON:
    """Change a user's email, admin, machine or active flags (system admin)."""
    with ctx.tx() as session:
        user = _user(session, login)
        for field in ("email", "admin", "machine", "active"):
            value = getattr(body, field)
            if value is not None:
                setattr(user, field, value)
        user.updated = int(time.time())
        return user_json(user)


@router.delete("/api/users/{login}", status_code=204)
def delete_user(ctx: Ctx, admin: AdminDep, login: str) -> None:
    """Remove a user (system admin; not oneself)."""
    with ctx.tx() as session:
        user = _user(session, login)
        if user.id == admin.id:
            raise bad_request("login: you cannot delete yourself")
        session.delete(user)


def _user(session: Session, login: str) -> User:
    user = find_user(session, login)
    if user is None:
        raise not_found("user")
    return user
