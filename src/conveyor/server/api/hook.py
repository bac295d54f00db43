"""POST /hook: Gitea and GitHub webhooks. The repository is found from the payload, the
signature checked with its own secret (401 and nothing stored when it does not match), then
`[ci skip]`, ignored events and replayed deliveries answer 200 without a build. The build is
added by `build_intake.add_build` (git and planning outside the write transaction); the
delivery id is stored in the build's transaction, so a replay racing it is refused there."""

from __future__ import annotations

import time
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from conveyor.server.api.errors import ApiError, bad_request
from conveyor.server.build_intake import RepoGoneError, RepoSnapshot, add_build
from conveyor.server.build_store import BuildFacts
from conveyor.server.context import AppContext
from conveyor.server.crypto import hook_aad
from conveyor.server.hooks import HookError, HookEvent, Ignored, identify, parse, repo_of, verify
from conveyor.server.live.events import BuildEvent, build_event, publish_builds
from conveyor.server.store.models import Build, Delivery, Repo

router = APIRouter(tags=["hook"])
UNVERIFIED = "the webhook signature does not match (or the repository is unknown)"
Stored = tuple[int, str, BuildEvent | None]
"""The new build's number and status, and its live event."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Verified:
    """A webhook whose signature matched its repository's secret."""

    repo: RepoSnapshot
    active: bool
    event: HookEvent | Ignored


@router.post("/hook")
async def post_hook(request: Request) -> JSONResponse:
    """Build from a forge's webhook."""
    ctx = request.app.state.conveyor
    assert isinstance(ctx, AppContext)
    body = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    return await run_in_threadpool(_handle, ctx, headers, body)


def _handle(ctx: AppContext, headers: dict[str, str], body: bytes) -> JSONResponse:
    checked = _verify(ctx, headers, body)
    event = checked.event
    if isinstance(event, Ignored):
        return _ok(f"ignored: {event.reason}")
    if not checked.active:
        return _ok(f"ignored: {checked.repo.view.slug} is not active")
    if event.skip_ci:
        return _ok("skipped: the commit message asks to skip CI")
    if event.delivery and _seen(ctx, event):
        return _duplicate(event)
    try:
        number, status, changed = add_build(
            ctx,
            checked.repo,
            _facts(event),
            admit=_still_active,
            answer=lambda session, build: _stored(session, build, event),
            hold_protected=True,
        )
    except RepoGoneError:
        raise ApiError(401, UNVERIFIED) from None
    except _InactiveError as exc:
        return _ok(f"ignored: {exc.slug} is not active")
    except IntegrityError:
        return _duplicate(event)
    ctx.queue_signal.notify()
    publish_builds(ctx.hub, [changed])
    return JSONResponse({"message": f"build {number} created ({status})", "number": number})


class _InactiveError(Exception):
    """The repository was deactivated while its webhook was being planned."""

    def __init__(self, slug: str) -> None:
        super().__init__(slug)
        self.slug = slug


def _still_active(_session: Session, repo: Repo) -> None:
    if not repo.active:
        raise _InactiveError(repo.slug)


def _stored(session: Session, build: Build, event: HookEvent) -> Stored:
    """Records the delivery with its build (a replay that got here first: IntegrityError)."""
    if event.delivery:
        session.add(
            Delivery(
                provider=event.provider,
                delivery=event.delivery,
                repo_id=build.repo_id,
                build_id=build.id,
                created=int(time.time()),
            )
        )
        session.flush()
    return build.number, build.status, build_event(session, build.id)


def _verify(ctx: AppContext, headers: dict[str, str], body: bytes) -> Verified:
    provider = identify(headers)
    if provider is None:
        raise bad_request("not a Gitea or GitHub webhook (no X-Gitea-Event or X-GitHub-Event)")
    slug = repo_of(provider, body)
    if slug is None:
        raise bad_request("the webhook payload names no repository")
    with ctx.read() as session:
        repo = session.scalar(select(Repo).where(Repo.slug == slug.lower()))
        if repo is None:
            raise ApiError(401, UNVERIFIED)
        secret = ctx.cipher.decrypt(repo.hook_secret, aad=hook_aad(repo.slug)).decode()
        snapshot, active = RepoSnapshot.of(repo), repo.active
    if not verify(provider, headers, body, secret):
        raise ApiError(401, UNVERIFIED)
    try:
        event = parse(provider, headers, body)
    except HookError as exc:
        raise bad_request(exc.message) from None
    return Verified(repo=snapshot, active=active, event=event)


def _seen(ctx: AppContext, event: HookEvent) -> bool:
    with ctx.read() as session:
        found = session.scalar(
            select(Delivery.id).where(
                Delivery.provider == event.provider, Delivery.delivery == event.delivery
            )
        )
    return found is not None


def _facts(event: HookEvent) -> BuildFacts:
    return BuildFacts(
        event=event.event,
        action=event.action or "",
        ref=event.ref,
        after=event.after,
        before=event.before,
        source=event.source,
        target=event.target,
        message=event.message,
        title=event.title,
        link=event.link,
        author_login=event.author,
        author_name=event.author_name,
        author_email=event.author_email,
        author_avatar=event.author_avatar,
        sender=event.sender,
        trigger="@hook",
    )


def _duplicate(event: HookEvent) -> JSONResponse:
    return _ok(f"duplicate delivery {event.delivery}: already handled")


def _ok(message: str) -> JSONResponse:
    return JSONResponse({"message": message})
