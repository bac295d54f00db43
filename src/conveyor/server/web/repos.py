"""GET / (the repositories the user may read, each with its last build) and GET
/{owner}/{name} (a repository's builds, newest first, by pages), with the fragments that
htmx reloads when the live stream says a build changed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from conveyor.server.api.builds import builds_of
from conveyor.server.api.deps import Ctx
from conveyor.server.auth import Caller, readable_repos
from conveyor.server.store.models import Build
from conveyor.server.web.lookup import page_repo
from conveyor.server.web.session import UserDep
from conveyor.server.web.templating import render

router = APIRouter(include_in_schema=False)
PER_PAGE = 25
Page = Annotated[int, Query(ge=1, le=100000)]


def last_builds(session: Session, repo_ids: list[int]) -> dict[int, Build]:
    """Each repository's newest build (one query)."""
    if not repo_ids:
        return {}
    newest = (
        select(Build.repo_id, func.max(Build.number))
        .where(Build.repo_id.in_(repo_ids))
        .group_by(Build.repo_id)
    )
    rows = session.scalars(select(Build).where(tuple_(Build.repo_id, Build.number).in_(newest)))
    return {build.repo_id: build for build in rows}


def _repos_context(ctx: Ctx, caller: Caller) -> dict[str, Any]:
    with ctx.read() as session:
        repos = [repo for repo, _ in readable_repos(session, caller)]
        last = last_builds(session, [repo.id for repo in repos])
    return {"repos": [(repo, last.get(repo.id)) for repo in repos]}


@router.get("/")
def repositories(request: Request, ctx: Ctx, caller: UserDep) -> Response:
    """The repositories page."""
    return render(request, "repos.html", **_repos_context(ctx, caller))


@router.get("/web/fragments/repos")
def repositories_fragment(request: Request, ctx: Ctx, caller: UserDep) -> Response:
    """The list of the repositories page (reloaded live)."""
    return render(request, "_repo_list.html", **_repos_context(ctx, caller))


def _builds_context(ctx: Ctx, caller: Caller, owner: str, name: str, page: int) -> dict[str, Any]:
    with ctx.read() as session:
        repo, perm = page_repo(session, caller, owner, name)
        builds = builds_of(session, repo, page=page, per_page=PER_PAGE)
    return {
        "repo": repo,
        "perm": perm,
        "builds": builds,
        "page": page,
        "more": len(builds) == PER_PAGE and builds[-1].number > 1,  # numbers count up from 1
    }


@router.get("/{owner}/{name}")
def builds(
    *, request: Request, ctx: Ctx, caller: UserDep, owner: str, name: str, page: Page = 1
) -> Response:
    """A repository's builds."""
    return render(request, "builds.html", **_builds_context(ctx, caller, owner, name, page))


@router.get("/web/fragments/{owner}/{name}/builds")
def builds_fragment(
    *, request: Request, ctx: Ctx, caller: UserDep, owner: str, name: str, page: Page = 1
) -> Response:
    """The build list of a repository page (reloaded live)."""
    context = _builds_context(ctx, caller, owner, name, page)
    return render(request, "_build_list.html", **context)
