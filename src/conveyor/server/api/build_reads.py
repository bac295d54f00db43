"""The API's hottest reads, `GET builds` and `GET build`, without the ORM: Core statements built
once with bound parameters (the caller and the repository in one, the builds in another), rows
rendered straight to Drone's JSON bytes (the same JSON as render.build_json and
render.stage_json give for the ORM objects)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Connection, Row, and_, bindparam, select

from conveyor.server.api.deps import Ctx, bearer, check_access, not_valid, valid_slug
from conveyor.server.api.errors import not_found
from conveyor.server.api.render import BUILD_FIELDS, JSON, STAGE_FIELDS, STEP_COLUMNS
from conveyor.server.auth import CALLER_COLUMNS, Access, Caller, caller_of, permission_from
from conveyor.server.store.models import Build, Perm, Repo, Stage, Step, User
from conveyor.server.users import hash_token

_REPOS, _PERMS = Repo.__table__, Perm.__table__
_BUILDS, _STAGES, _STEPS = Build.__table__, Stage.__table__, Step.__table__

_USERS = User.__table__
_CALLER_AND_REPO = (
    select(*CALLER_COLUMNS, _USERS.c.token_hash)
    .add_columns(
        _REPOS.c.id.label("repo_id"),
        _REPOS.c.slug.label("repo_slug"),
        _REPOS.c.visibility.label("repo_visibility"),
        _PERMS.c.user_id.label("perm_user"),
        _PERMS.c.read.label("perm_read"),
        _PERMS.c.write.label("perm_write"),
        _PERMS.c.admin.label("perm_admin"),
    )
    .select_from(
        _USERS.outerjoin(_REPOS, _REPOS.c.slug == bindparam("slug")).outerjoin(
            _PERMS, and_(_PERMS.c.repo_id == _REPOS.c.id, _PERMS.c.user_id == _USERS.c.id)
        )
    )
    .where(_USERS.c.token_hash == bindparam("digest"))
)
"""The token's user, repository `slug` and the user's collaborator row on it: one statement."""

_BUILD_COLUMNS = [_BUILDS.c[name] for name in BUILD_FIELDS]
_STAGE_COLUMNS = [_STAGES.c[name] for name in STAGE_FIELDS]
_STEP_COLUMNS = [_STEPS.c[column] for _, column in STEP_COLUMNS]
_STEP_KEYS = [key for key, _ in STEP_COLUMNS]

_PAGE = (
    select(*_BUILD_COLUMNS, _BUILDS.c.params)
    .where(_BUILDS.c.repo_id == bindparam("repo"))
    .order_by(_BUILDS.c.number.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_BRANCH_PAGE = _PAGE.where(_BUILDS.c.target == bindparam("branch"))

_TREE = (
    select(*_BUILD_COLUMNS, _BUILDS.c.params)
    .add_columns(*_STAGE_COLUMNS, _STAGES.c.depends_on, _STAGES.c.labels)
    .add_columns(*_STEP_COLUMNS)
    .select_from(
        _BUILDS.outerjoin(_STAGES, _STAGES.c.build_id == _BUILDS.c.id).outerjoin(
            _STEPS, _STEPS.c.stage_id == _STAGES.c.id
        )
    )
    .where(_BUILDS.c.repo_id == bindparam("repo"), _BUILDS.c.number == bindparam("number"))
    .order_by(_STAGES.c.number, _STEPS.c.number)
)
"""One build with its stages and their steps, one row per step (stage and step columns are
NULL for a build without stages, step columns for a stage without steps)."""

_BUILD_END = len(BUILD_FIELDS) + 1
_STAGE_END = _BUILD_END + len(STAGE_FIELDS) + 2


@dataclass(frozen=True, slots=True, kw_only=True)
class RepoReader:
    """The caller and what the store holds about the repository of the path, for the caller.
    Whether it may read it is decided by `readable`, in the route, so that a bad query
    parameter is still a 400 before a 404 (as with `find_repo`)."""

    caller: Caller
    repo: Row[*tuple[Any, ...]]

    def readable(self) -> int:
        """The repository's id; 404 unless the caller may read it."""
        row = self.repo
        if row.repo_id is None:
            raise not_found("repository")
        bits = None if row.perm_user is None else (row.perm_read, row.perm_write, row.perm_admin)
        perm = permission_from(self.caller, row.repo_visibility, bits)
        check_access(perm, Access.READ, row.repo_slug)
        return int(row.repo_id)


async def repo_reader(request: Request, ctx: Ctx, owner: str, name: str) -> RepoReader:
    """The caller (401 as `current_caller`) and repository `owner/name`, read in one statement
    on the event loop (see deps.py)."""
    digest = hash_token(bearer(request))
    with ctx.reading() as connection:
        query = connection.execute(
            _CALLER_AND_REPO, {"digest": digest, "slug": valid_slug(owner, name)}
        )
        row = query.one_or_none()
    caller = caller_of(row, digest)
    if caller is None or row is None:
        raise not_valid()
    return RepoReader(caller=caller, repo=row)


ReaderDep = Annotated[RepoReader, Depends(repo_reader)]


def builds_page(
    connection: Connection, repo_id: int, *, page: int, per_page: int, branch: str | None
) -> bytes:
    """The repository's builds, newest first (without stages), as a JSON array."""
    params: dict[str, object] = {
        "repo": repo_id,
        "limit": per_page,
        "offset": (page - 1) * per_page,
    }
    query = _PAGE
    if branch:
        query, params["branch"] = _BRANCH_PAGE, branch
    return dumps([_build(row) for row in connection.execute(query, params)])


def build_tree(connection: Connection, repo_id: int, number: int) -> bytes:
    """Build `number` with `stages[].steps[]`, as a JSON object; 404 if there is none."""
    rows = connection.execute(_TREE, {"repo": repo_id, "number": number}).all()
    if not rows:
        raise not_found("build")
    out = _build(rows[0])
    out["stages"] = _stages(rows)
    return dumps(out)


def _build(row: Sequence[Any]) -> JSON:
    out: JSON = dict(zip(BUILD_FIELDS, row, strict=False))
    out["params"] = json.loads(row[_BUILD_END - 1] or "{}")
    return out


def _stages(rows: Iterable[Sequence[Any]]) -> list[JSON]:
    stages: dict[int, JSON] = {}
    for row in rows:
        part = row[_BUILD_END:_STAGE_END]
        if part[0] is None:
            continue
        stage = stages.get(part[0])
        if stage is None:
            stage = stages[part[0]] = dict(zip(STAGE_FIELDS, part, strict=False))
            stage["depends_on"] = json.loads(part[-2] or "[]")
            stage["labels"] = json.loads(part[-1] or "{}")
            stage["steps"] = []
        step = row[_STAGE_END:]
        if step[0] is not None:
            stage["steps"].append(_step(step))
    return list(stages.values())


def _step(part: Sequence[Any]) -> JSON:
    out: JSON = dict(zip(_STEP_KEYS, part, strict=True))
    out["depends_on"] = json.loads(out["depends_on"] or "[]")
    return out


def dumps(content: object) -> bytes:
    """JSON bytes as FastAPI writes them (compact, UTF-8 unescaped)."""
    return json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
