"""GET/POST /login (user name and password) and POST /logout. A failure says only "wrong user
name or password", whether or not the user exists; too many failures for a name give 429."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from conveyor.server.api.deps import Ctx
from conveyor.server.passwords import needs_rehash, verify_password
from conveyor.server.store.models import User
from conveyor.server.users import find_user, set_password
from conveyor.server.web.forms import FormDep
from conveyor.server.web.session import (
    check_csrf,
    clear_session_cookie,
    end_session,
    set_session_cookie,
    start_session,
    web_user,
)
from conveyor.server.web.templating import render, see_other
from conveyor.server.web.throttle import SignInThrottle

router = APIRouter(include_in_schema=False)
WRONG = "wrong user name or password"


def safe_next(target: str) -> str:
    """`target` when it is a path on this server; `/` otherwise (no open redirect)."""
    ok = target.startswith("/") and not target.startswith(("//", "/\\")) and "\\" not in target
    return target if ok and all(ch >= " " for ch in target) else "/"


def throttle_of(request: Request) -> SignInThrottle:
    """The app's sign-in throttle (made on first use)."""
    state = request.app.state
    if not hasattr(state, "web_sign_in_throttle"):
        state.web_sign_in_throttle = SignInThrottle()
    found: SignInThrottle = state.web_sign_in_throttle
    return found


@router.get("/login")
def login_form(request: Request, next: Annotated[str, Query(max_length=2000)] = "/") -> Response:
    """The sign-in form (or straight on, when already signed in)."""
    if web_user(request) is not None:
        return see_other(safe_next(next))
    return render(request, "login.html", next=safe_next(next), login="", errors={})


@router.post("/login")
def login(request: Request, ctx: Ctx, form: FormDep) -> Response:
    """Check the user name and password; on success a session cookie and 303 to `next`."""
    check_csrf(request, form.get("csrf_token"))
    name, password, target = form.get("login").strip(), form.get("password"), form.get("next")
    throttle = throttle_of(request)
    if throttle.blocked(name):
        return render(
            request,
            "login.html",
            status=429,
            next=safe_next(target),
            login=name,
            errors={"password": "too many failed sign-ins for this user: wait a minute"},
        )
    with ctx.tx() as session:
        user = find_user(session, name)
        stored = user.password_hash if user is not None and user.active else None
        if not verify_password(stored, password) or user is None:
            throttle.failed(name)
            return render(
                request,
                "login.html",
                status=400,
                next=safe_next(target),
                login=name,
                errors={"password": WRONG},
            )
        _rehash(user, password)
        cookie = start_session(request, session, user)
    throttle.succeeded(name)
    response = see_other(safe_next(target))
    set_session_cookie(request, response, cookie)
    return response


def _rehash(user: User, password: str) -> None:
    if user.password_hash and needs_rehash(user.password_hash):
        set_password(user, password)


@router.post("/logout")
def logout(request: Request, ctx: Ctx, form: FormDep) -> Response:
    """Sign out: this browser's session stops working, here and wherever the cookie went."""
    check_csrf(request, form.get("csrf_token"))
    with ctx.tx() as session:
        end_session(request, session)
    response = see_other("/login", "You are signed out.")
    clear_session_cookie(request, response)
    return response
