"""POST forms of the build page: restart, cancel, approve and decline a stage. Each calls the
same function as the REST API (`api.builds.restart` and `control`, with write permission),
then redirects back with a message; a build not in a state for it is a 409 page."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from conveyor.server.api.builds import cancel_build_of, control, restart
from conveyor.server.api.deps import Ctx
from conveyor.server.build_control import approve, decline
from conveyor.server.store.models import Build
from conveyor.server.web.errors import WebError
from conveyor.server.web.forms import FormDep
from conveyor.server.web.lookup import RESERVED_OWNERS
from conveyor.server.web.session import UserDep, check_csrf
from conveyor.server.web.templating import see_other

router = APIRouter(include_in_schema=False)
BUILD = "/{owner}/{name}/{number:int}"


class StageVerb(StrEnum):
    """What a button does to a blocked stage."""

    APPROVE = "approve"
    DECLINE = "decline"


STAGE_CHANGES: dict[StageVerb, tuple[Callable[[Session, Build, int], None], str]] = {
    StageVerb.APPROVE: (approve, "approved"),
    StageVerb.DECLINE: (decline, "declined"),
}


def _number(_session: Session, build: Build) -> int:
    return build.number


def _checked(
    request: Request, form: FormDep, owner: str, name: str, number: int
) -> tuple[str, str, int]:
    """The build's place, once the form's CSRF token is right and the owner can exist."""
    check_csrf(request, form.get("csrf_token"))
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
    where = _checked(request, form, owner, name, number)
    new = restart(ctx, caller, where, {}, _number)
    message = f"Build #{new} started (a restart of #{number})."
    return see_other(f"/{owner}/{name}/{new}".lower(), message)


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
    """Cancel the build: what runs is killed, what never started is skipped."""
    where = _checked(request, form, owner, name, number)
    cancel_build_of(ctx, caller, where, _number)
    return see_other(f"/{owner}/{name}/{number}".lower(), f"Build #{number} is being cancelled.")


@router.post(BUILD + "/{verb}/{stage:int}")
def change_stage(
    *,
    request: Request,
    ctx: Ctx,
    caller: UserDep,
    form: FormDep,
    owner: str,
    name: str,
    number: int,
    verb: StageVerb,
    stage: int,
) -> Response:
    """Approve (let it run) or decline (refuse) a blocked stage."""
    where = _checked(request, form, owner, name, number)
    change, done = STAGE_CHANGES[verb]
    control(ctx, caller, where, lambda session, build: change(session, build, stage), _number)
    return see_other(f"/{owner}/{name}/{number}".lower(), f"Stage {stage} {done}.")
