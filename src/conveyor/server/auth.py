"""Who is calling and what they may do: bearer tokens (hashed, compared in constant time) and
read / write / admin permissions per repository, system admins allowed everything."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, select
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


_USERS = User.__table__.c
CALLER_COLUMNS = (_USERS.id, _USERS.login, _USERS.admin, _USERS.machine, _USERS.active)
"""What `caller_of` reads from a row (with the user's `token_hash`)."""
_BY_TOKEN = select(*CALLER_COLUMNS, _USERS.token_hash).where(
    _USERS.token_hash == bindparam("digest")
)
"""Built once: a Core statement skips the ORM's statement building and object loading."""


def authenticate(connection: Connection, token: str) -> Caller | None:
    """The active user whose token this is, or None."""
    digest = hash_token(token)
    return caller_of(connection.execute(_BY_TOKEN, {"digest": digest}).one_or_none(), digest)


def caller_of(row: Row[*tuple[Any, ...]] | None, digest: str) -> Caller | None:
    """The caller from a row of CALLER_COLUMNS and `token_hash` found by `digest`; None when
    there is no row or the user is not active."""
    if row is None or not row.active or not hmac.compare_digest(row.token_hash, digest):
        return None
    return Caller(id=row.id, login=row.login, admin=row.admin, machine=row.machine)


def permission(session: Session, caller: Caller, repo: Repo) -> Permission:
    """`caller`'s permission on `repo`: admin everything; collaborators their row; anyone
    signed in may read a public or internal repository."""
    if caller.admin:
        return FULL
    return permission_of(caller, repo, session.get(Perm, (caller.id, repo.id)))


def permission_of(caller: Caller, repo: Repo, row: Perm | None) -> Permission:
    """`permission` from the caller's collaborator `row` on `repo`, already fetched."""
    bits = None if row is None else (row.read, row.write, row.admin)
    return permission_from(caller, repo.visibility, bits)


def permission_from(
    caller: Caller, visibility: str, bits: tuple[bool, bool, bool] | None
) -> Permission:
    """`permission` from the repository's visibility and the caller's collaborator row's
    (read, write, admin), None without a row."""
    if caller.admin:
        return FULL
    everyone = visibility in {"public", "internal"}
    if bits is None:
        return Permission(read=everyone)
    read, write, admin = bits
    return Permission(read=read or write or admin or everyone, write=write or admin, admin=admin)


def readable_repos(session: Session, caller: Caller) -> list[tuple[Repo, Permission]]:
    """Every repository `caller` may read, by slug, with the permission (one query)."""
    mine = and_(Perm.repo_id == Repo.id, Perm.user_id == caller.id)
    rows = session.execute(select(Repo, Perm).outerjoin(Perm, mine).order_by(Repo.slug))
    found = [(repo, permission_of(caller, repo, row)) for repo, row in rows]
    return [(repo, perm) for repo, perm in found if perm.read]
