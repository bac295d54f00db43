"""/admin/users (system admin): every user, adding one with a password and the admin flag,
deactivating and reactivating (a deactivated user's token and sessions stop working), and
granting or removing system admin. An admin never changes their own account here."""

from __future__ import annotations

import time
from enum import StrEnum

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.server.api.deps import Ctx
from conveyor.server.passwords import MIN_LENGTH
from conveyor.server.store.models import User
from conveyor.server.users import create_user, find_user, set_password
from conveyor.server.web.errors import WebError
from conveyor.server.web.form_errors import FormError
from conveyor.server.web.page_support import CheckedForm
from conveyor.server.web.session import AdminUserDep
from conveyor.server.web.settings_form import new_user_input
from conveyor.server.web.templating import render, see_other

router = APIRouter(include_in_schema=False)


class UserAction(StrEnum):
    """What the buttons of a user's row do."""

    DEACTIVATE = "deactivate"
    ACTIVATE = "activate"
    MAKE_ADMIN = "make-admin"
    REVOKE_ADMIN = "revoke-admin"


def _page(
    request: Request,
    session: Session,
    *,
    values: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    users = list(session.scalars(select(User).order_by(User.login)))
    return render(
        request,
        "admin/users.html",
        status=400 if errors else 200,
        users=users,
        values=values or {},
        errors=errors or {},
        password_hint=f"At least {MIN_LENGTH} characters.",
    )


@router.get("/admin/users")
def users_page(request: Request, ctx: Ctx, _admin: AdminUserDep) -> Response:
    """Every user, and the form that adds one."""
    with ctx.read() as session:
        return _page(request, session)


@router.post("/admin/users")
def add_user_form(request: Request, ctx: Ctx, _admin: AdminUserDep, form: CheckedForm) -> Response:
    """Create a user who signs in with the given password; 400 with the errors otherwise."""
    with ctx.tx() as session:
        try:
            wanted = new_user_input(form)
            if find_user(session, wanted.login) is not None:
                raise FormError({"login": f"user {wanted.login} already exists"})
        except FormError as exc:
            errors = exc.errors
        else:
            user, _token = create_user(session, login=wanted.login, admin=wanted.admin)
            set_password(user, wanted.password)
            return see_other("/admin/users", f"User {wanted.login} added.")
    with ctx.read() as session:
        values = {"login": form.get("login"), "admin": form.has("admin")}
        return _page(request, session, values=values, errors=errors)


@router.post("/admin/users/{login}")
def user_action_form(
    request: Request, ctx: Ctx, admin: AdminUserDep, form: CheckedForm, login: str
) -> Response:
    """Deactivate, reactivate, make admin or remove admin; never on oneself."""
    try:
        action = UserAction(form.get("action"))
    except ValueError:
        raise WebError(400, "Unknown action.") from None
    with ctx.tx() as session:
        user = find_user(session, login)
        if user is None:
            raise WebError(404, "There is no such user.")
        if user.id == admin.id:
            raise WebError(400, "You cannot change your own account here.")
        if action in {UserAction.DEACTIVATE, UserAction.ACTIVATE}:
            user.active = action is UserAction.ACTIVATE
        else:
            user.admin = action is UserAction.MAKE_ADMIN
        user.updated = int(time.time())
    return see_other("/admin/users", f"User {login}: {action.value.replace('-', ' ')} done.")
