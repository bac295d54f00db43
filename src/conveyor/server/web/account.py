"""GET /account (who you are), POST /account/token (a new API token, shown once) and POST
/account/password (change the password; other signed-in browsers are signed out)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from conveyor.server.api.deps import Ctx
from conveyor.server.auth import Caller
from conveyor.server.passwords import PasswordRuleError, check_new_password, verify_password
from conveyor.server.store.models import User
from conveyor.server.users import rotate_token, set_password
from conveyor.server.web.errors import WebError
from conveyor.server.web.forms import FormData, FormDep
from conveyor.server.web.session import UserDep, check_csrf, end_other_sessions
from conveyor.server.web.templating import NO_STORE, render, see_other

router = APIRouter(include_in_schema=False)
NOT_CURRENT = "this is not your current password"
DIFFER = "the two new passwords differ"


def _user(session: Session, caller: Caller) -> User:
    user = session.get(User, caller.id)
    if user is None:
        raise WebError(404, "your user no longer exists")
    return user


def _page(
    request: Request, ctx: Ctx, caller: Caller, *, status: int = 200, **extra: object
) -> Response:
    with ctx.read() as session:
        user = _user(session, caller)
        facts = {"login": user.login, "admin": user.admin, "has_password": bool(user.password_hash)}
    context = {"account": facts, "errors": {}, "new_token": None, **extra}
    return render(request, "account.html", status=status, headers=NO_STORE, **context)


@router.get("/account")
def account(request: Request, ctx: Ctx, caller: UserDep) -> Response:
    """The account page."""
    return _page(request, ctx, caller)


@router.post("/account/token")
def new_token(request: Request, ctx: Ctx, caller: UserDep, form: FormDep) -> Response:
    """Rotate the API token: the old one stops working; the new one is shown on this answer
    only (never stored, never sent again)."""
    check_csrf(request, form.get("csrf_token"))
    with ctx.tx() as session:
        token = rotate_token(_user(session, caller))
    return _page(request, ctx, caller, new_token=token)


def password_errors(user: User, form: FormData) -> dict[str, str]:
    """What is wrong with a password change form, by field."""
    errors: dict[str, str] = {}
    if not verify_password(user.password_hash, form.get("current_password")):
        errors["current_password"] = NOT_CURRENT
    new = form.get("new_password")
    try:
        check_new_password(new)
    except PasswordRuleError as exc:
        errors["new_password"] = str(exc)
    if "new_password" not in errors and form.get("confirm_password") != new:
        errors["confirm_password"] = DIFFER
    return errors


@router.post("/account/password")
def change_password(request: Request, ctx: Ctx, caller: UserDep, form: FormDep) -> Response:
    """Set a new password (with the current one); signs out every other browser."""
    check_csrf(request, form.get("csrf_token"))
    with ctx.tx() as session:
        user = _user(session, caller)
        errors = password_errors(user, form)
        if not errors:
            set_password(user, form.get("new_password"))
            end_other_sessions(request, session, user.id)
    if errors:
        return _page(request, ctx, caller, status=400, errors=errors)
    return see_other("/account", "Your password was changed; other browsers are signed out.")
