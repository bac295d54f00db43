"""Finding what a page path names, with the API's own permission rules (`find_repo`,
`build_of`): 404 when the user may not read the repository, 403 when it may not do this.
Server paths (`/api`, `/login`, `/admin`...) are never taken for an owner."""

from __future__ import annotations

from sqlalchemy.orm import Session

from conveyor.server.api.builds import build_of
from conveyor.server.api.deps import find_repo
from conveyor.server.auth import Access, Caller, Permission
from conveyor.server.store.models import Build, Repo
from conveyor.server.web.errors import WebError

RESERVED_OWNERS = frozenset(
    {
        "api",
        "rpc",
        "hook",
        "healthz",
        "metrics",
        "static",
        "web",
        "login",
        "logout",
        "account",
        "admin",
    }
)
"""Names that are paths of the server, never a repository owner in a page path."""


def page_repo(
    session: Session, caller: Caller, owner: str, name: str, need: Access = Access.READ
) -> tuple[Repo, Permission]:
    """The repository of a page path and the user's permission on it."""
    if owner.lower() in RESERVED_OWNERS:
        raise WebError(404, "page not found")
    return find_repo(session, caller, owner, name, need)


def page_build(
    session: Session, caller: Caller, owner: str, name: str, number: int
) -> tuple[Repo, Permission, Build]:
    """The repository, the permission and build `number` of a page path."""
    repo, perm = page_repo(session, caller, owner, name)
    return repo, perm, build_of(session, repo, number)
