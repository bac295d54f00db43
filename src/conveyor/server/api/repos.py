"""/api/repos/{owner}/{name} and /api/user/repos: create (activate), read, update, delete, and
the webhook URL and secret. Only a system admin sets `trusted` and `timeout`."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import APIRouter
from sqlalchemy import select

from conveyor.server.api.deps import NAME, CallerDep, Ctx, find_repo, slug_of
from conveyor.server.api.errors import ApiError, bad_request, forbidden
from conveyor.server.api.inputs import RepoCreateBody, RepoPatchBody
from conveyor.server.api.render import JSON, repo_json
from conveyor.server.auth import FULL, Access, readable_repos
from conveyor.server.crypto import hook_aad
from conveyor.server.repo_settings import (
    RepoChanges,
    RepoFieldError,
    apply_changes,
    check_admin_fields,
    check_git_url,
)
from conveyor.server.store.models import Perm, Repo

router = APIRouter(tags=["repos"])


@router.get("/api/user/repos")
def list_repos(ctx: Ctx, caller: CallerDep) -> list[JSON]:
    """The repositories the caller may read."""
    with ctx.read() as session:
        return [repo_json(repo, perm) for repo, perm in readable_repos(session, caller)]


@router.post("/api/repos/{owner}/{name}", status_code=201)
def post_repo(ctx: Ctx, caller: CallerDep, owner: str, name: str, body: RepoCreateBody) -> JSON:
    """Create and activate a repository; its creator gets admin permission."""
    if not NAME.fullmatch(owner) or not NAME.fullmatch(name):
        raise bad_request(
            "owner and name must be letters, digits, '.', '_' or '-', not starting with '.'"
        )
    slug = slug_of(owner, name)
    with _answers():
        check_admin_fields(caller, body.trusted, body.timeout)
        check_git_url(body.git_http_url)
    now = int(time.time())
    with ctx.tx() as session:
        if session.scalar(select(Repo.id).where(Repo.slug == slug)) is not None:
            raise ApiError(409, f"repository {slug} already exists")
        namespace, _, short = slug.partition("/")
        repo = Repo(
            namespace=namespace,
            name=short,
            slug=slug,
            git_http_url=body.git_http_url,
            default_branch=body.default_branch,
            visibility=body.visibility.value,
            active=True,
            config_path=body.config_path,
            trusted=bool(body.trusted),
            protected=body.protected,
            timeout=body.timeout or 60,
            counter=0,
            image_cache_mode=body.image_cache_mode.value,
            hook_secret=ctx.cipher.encrypt(secrets.token_hex(32).encode(), aad=hook_aad(slug)),
            user_id=caller.id,
            created=now,
            updated=now,
            version=1,
        )
        session.add(repo)
        session.flush()
        session.add(
            Perm(
                user_id=caller.id,
                repo_id=repo.id,
                read=True,
                write=True,
                admin=True,
                created=now,
                updated=now,
            )
        )
        return repo_json(repo, FULL)


@router.get("/api/repos/{owner}/{name}")
def get_repo(ctx: Ctx, caller: CallerDep, owner: str, name: str) -> JSON:
    """One repository, with the caller's permissions."""
    with ctx.read() as session:
        repo, perm = find_repo(session, caller, owner, name, Access.READ)
        return repo_json(repo, perm)


@router.patch("/api/repos/{owner}/{name}")
def patch_repo(ctx: Ctx, caller: CallerDep, owner: str, name: str, body: RepoPatchBody) -> JSON:
    """Change a repository's settings (repository admin; trusted and timeout: system admin)."""
    changes = RepoChanges(**body.model_dump(mode="json"))
    with _answers():
        check_admin_fields(caller, changes.trusted, changes.timeout)
        if changes.git_http_url is not None:
            check_git_url(changes.git_http_url)
    with ctx.tx() as session:
        repo, perm = find_repo(session, caller, owner, name, Access.ADMIN)
        with _answers():
            apply_changes(caller, repo, changes)
        return repo_json(repo, perm)


@router.delete("/api/repos/{owner}/{name}", status_code=204)
def delete_repo(ctx: Ctx, caller: CallerDep, owner: str, name: str) -> None:
    """Remove a repository with its builds, logs and secrets (repository admin)."""
    with ctx.tx() as session:
        repo, _ = find_repo(session, caller, owner, name, Access.ADMIN)
        session.delete(repo)


@router.get("/api/repos/{owner}/{name}/hook")
def get_hook(ctx: Ctx, caller: CallerDep, owner: str, name: str) -> JSON:
    """The webhook URL and secret to enter in the forge (repository admin)."""
    with ctx.read() as session:
        repo, _ = find_repo(session, caller, owner, name, Access.ADMIN)
        secret = ctx.cipher.decrypt(repo.hook_secret, aad=hook_aad(repo.slug)).decode()
    return {"url": f"{ctx.settings.public_url}/hook", "secret": secret}


@contextmanager
def _answers() -> Iterator[None]:
    """A refused field as an API answer: 403 when the caller lacks the right, else 400."""
    try:
        yield
    except RepoFieldError as exc:
        raise (forbidden(str(exc)) if exc.forbidden else bad_request(str(exc))) from None
