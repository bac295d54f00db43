"""POST forms of the build page: restart, cancel, approve and decline a stage. Each calls the
same function as the REST API (`api.builds.restart` and `control`, with write permission),
then redirects back with a message; a build not in a state for it is a 409 page."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from conveyor.server.api.builds import control, restart
from conveyor.server.api.deps import Ctx
from conveyor.server.build_control import approve, cancel, decline
from conveyor.server.store.models import Build
from conveyor.server.web.errors import WebError
from conveyor.server.web.forms import FormDep
from conveyor.server.web.lookup import RESERVED_OWNERS
from conveyor.server.web.session import UserDep, check_csrf
from conveyor.server.web.templating import see_other

router = APIRouter(include_in_schema=False)
BUILD = "/{owner}/{name}/{number:int}"


def _number(_session: Session, build: Build) -> int:
    return build.number


def _where(owner: str, name: str, number: int) -> tuple[str, str, int]:
    if owner.lower() in RESERVED_OWNERS:
        raise WebError(404, "page not found")
    return owner, name, number


@router.post(BUILD + "/restart")
def restart_build(
    *,
    request: Request,
    ctx: Ctx,
    caller: UserDep,
    form: FormDep,
    owner: str,
    name: str,
    number: int,
) -> Response:
    """Run the build again as a new build; shows the new one."""
    check_csrf(request, form.get("csrf_token"))
    new = restart(ctx, caller, _where(owner, name, number), {}, _number)
    return see_other(
        f"/{owner}/{name}/{new}".lower(), f"Build #{new} started (a restart of #{number})."
    )


def _change(
    request: Request,
    ctx: Ctx,
    caller: UserDep,
    where: tuple[str, str, int],
    change: tuple[Callable[[Session, Build], None], str],
) -> Response:
    owner, name, number = _where(*where)
    control(ctx, caller, (owner, name, number), change[0], _number)
    return see_other(f"/{owner}/{name}/{number}".lower(), change[1])


@router.post(BUILD + "/cancel")
def cancel_build(
    *,
    request: Request,
    ctx: Ctx,
    caller: UserDep,
    form: FormDep,
    owner: str,
    name: str,
    number: int,
) -> Response:
    """Cancel the build: what has not finished is killed."""
    check_csrf(request, form.get("csrf_token"))
    return _change(
        request,
        ctx,
        caller,
        (owner, name, number),
        (cancel, f"Build #{number} is being cancelled."),
    )


@router.post(BUILD + "/approve/{stage:int}")
def approve_stage(
    *,
    request: Request,
    ctx: Ctx,
    caller: UserDep,
    form: FormDep,
    owner: str,
    name: str,
    number: int,
    stage: int,
) -> Response:
    """Let a blocked stage run."""
    check_csrf(request, form.get("csrf_token"))
    act = (lambda s, b: approve(s, b, stage), f"Stage {stage} approved.")
    return _change(request, ctx, caller, (owner, name, number), act)


@router.post(BUILD + "/decline/{stage:int}")
def decline_stage(
    *,
    request: Request,
    ctx: Ctx,
    caller: UserDep,
    form: FormDep,
    owner: str,
    name: str,
    number: int,
    stage: int,
) -> Response:
    """Refuse a blocked stage."""
    check_csrf(request, form.get("csrf_token"))
    act = (lambda s, b: decline(s, b, stage), f"Stage {stage} declined.")
    return _change(request, ctx, caller, (owner, name, number), act)
