"""Who is calling and what they may do: bearer tokens (hashed, compared in constant time) and
read / write / admin permissions per repository, system admins allowed everything."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from conveyor.server.store.models import Perm, Repo, User
from conveyor.server.users import hash_token


class Access(StrEnum):
    """What an operation on a repository needs."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True, kw_only=True)
class Caller:
    """The authenticated user of a request."""

    id: int
    login: str
    admin: bool
    machine: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Permission:
    """What a caller may do with one repository."""

    read: bool = False
    write: bool = False
    admin: bool = False

    def allows(self, need: Access) -> bool:
        """Whether this permission covers `need`."""
        return {Access.READ: self.read, Access.WRITE: self.write, Access.ADMIN: self.admin}[need]


FULL = Permission(read=True, write=True, admin=True)


def token_of(headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
    """The bearer token of a request: `Authorization: Bearer T`, else `?access_token=T`."""
    header = headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return query.get("access_token") or None


def authenticate(session: Session, token: str) -> Caller | None:
    """The active user whose token this is, or None."""
    digest = hash_token(token)
    user = session.scalar(select(User).where(User.token_hash == digest))
    if user is None or not user.active or not hmac.compare_digest(user.token_hash, digest):
        return None
    return Caller(id=user.id, login=user.login, admin=user.admin, machine=user.machine)


def permission(session: Session, caller: Caller, repo: Repo) -> Permission:
    """`caller`'s permission on `repo`: admin everything; collaborators their row; anyone
    signed in may read a public or internal repository."""
    if caller.admin:
        return FULL
    return permission_of(caller, repo, session.get(Perm, (caller.id, repo.id)))


def permission_of(caller: Caller, repo: Repo, row: Perm | None) -> Permission:
    """`permission` from the caller's collaborator `row` on `repo`, already fetched."""
    if caller.admin:
        return FULL
    everyone = repo.visibility in {"public", "internal"}
    if row is None:
        return Permission(read=everyone)
    return Permission(
        read=row.read or row.write or row.admin or everyone,
        write=row.write or row.admin,
        admin=row.admin,
    )


def readable_repos(session: Session, caller: Caller) -> list[tuple[Repo, Permission]]:
    """Every repository `caller` may read, by slug, with the permission (one query)."""
    mine = and_(Perm.repo_id == Repo.id, Perm.user_id == caller.id)
    rows = session.execute(select(Repo, Perm).outerjoin(Perm, mine).order_by(Repo.slug))
    found = [(repo, permission_of(caller, repo, row)) for repo, row in rows]
    return [(repo, perm) for repo, perm in found if perm.read]
