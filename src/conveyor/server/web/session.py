"""Who is signed in to the web pages, and CSRF tokens.

The cookie `conveyor_session` holds `USER_ID.NONCE.SIGNATURE` (HMAC-SHA256 with a key derived
from the server's secret key); the nonce is kept in `web_sessions` only as its SHA-256, so a
session stops working when the user signs out, is deactivated, or the row expires. CSRF tokens
are an HMAC of the session's nonce (before sign-in, of a random `conveyor_csrf` cookie).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from conveyor.server.api.deps import context_of
from conveyor.server.auth import Caller
from conveyor.server.store.models import User, WebSession
from conveyor.server.web.errors import NotSignedInError, WebError

COOKIE = "conveyor_session"
ANON_COOKIE = "conveyor_csrf"
LIFETIME = 14 * 24 * 3600
"""Seconds a sign-in lasts."""
CSRF_HEADER = "x-csrf-token"
_UNSET = object()


def _key(request: Request) -> bytes:
    return context_of(request).cipher.derive("web session v1")


def _sign(key: bytes, text: str) -> str:
    digest = hmac.digest(key, text.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def start_session(request: Request, session: Session, user: User) -> str:
    """A new session row for `user`; returns the cookie value (set it with `set_cookie`)."""
    nonce = secrets.token_urlsafe(32)
    now = int(time.time())
    session.add(
        WebSession(user_id=user.id, nonce_hash=_hash(nonce), created=now, expires=now + LIFETIME)
    )
    user.last_login = now
    body = f"{user.id}.{nonce}"
    return f"{body}.{_sign(_key(request), body)}"


def _parse(request: Request) -> tuple[int, str] | None:
    """The cookie's user id and nonce when its signature is right."""
    user_id, _, rest = request.cookies.get(COOKIE, "").partition(".")
    nonce, _, signature = rest.partition(".")
    if not user_id.isdigit() or not nonce or not signature:
        return None
    if not hmac.compare_digest(signature, _sign(_key(request), f"{user_id}.{nonce}")):
        return None
    return int(user_id), nonce


def end_session(request: Request, session: Session) -> None:
    """Delete the current session's row (signing out)."""
    parsed = _parse(request)
    if parsed is not None:
        session.execute(delete(WebSession).where(WebSession.nonce_hash == _hash(parsed[1])))


def end_other_sessions(request: Request, session: Session, user_id: int) -> None:
    """Sign the user out everywhere but here (after a password change)."""
    parsed = _parse(request)
    keep = _hash(parsed[1]) if parsed is not None else ""
    session.execute(
        delete(WebSession).where(WebSession.user_id == user_id, WebSession.nonce_hash != keep)
    )


def web_user(request: Request) -> Caller | None:
    """The signed-in user of this request, or None (read once per request)."""
    cached = getattr(request.state, "web_caller", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    caller = None
    parsed = _parse(request)
    if parsed is not None:
        with context_of(request).read() as session:
            caller = session_caller(session, parsed[0], _hash(parsed[1]))
        if caller is not None:
            request.state.web_nonce = parsed[1]
    request.state.web_caller = caller
    return caller


def session_caller(session: Session, user_id: int, nonce_hash: str) -> Caller | None:
    """The user of the session row `nonce_hash` while it stands: not signed out, not expired,
    the user still active; else None."""
    user = session.scalar(
        select(User)
        .join(WebSession, WebSession.user_id == User.id)
        .where(
            User.id == user_id,
            User.active.is_(True),
            WebSession.nonce_hash == nonce_hash,
            WebSession.expires > int(time.time()),
        )
    )
    if user is None:
        return None
    return Caller(id=user.id, login=user.login, admin=user.admin, machine=user.machine)


def session_key(request: Request) -> tuple[int, str] | None:
    """This request's signed-in session as (user id, nonce hash), to look at again later with
    `session_caller` (a long event stream does); None when not signed in."""
    caller = web_user(request)
    nonce = getattr(request.state, "web_nonce", None)
    return None if caller is None or nonce is None else (caller.id, _hash(nonce))


def require_user(request: Request) -> Caller:
    """The signed-in user; otherwise a browser is redirected to /login?next=..., and any other
    client (no `text/html` in Accept: scripts, event streams) gets a 401 page."""
    caller = web_user(request)
    if caller is None and "text/html" not in request.headers.get("accept", ""):
        raise WebError(401, "sign in first: this page needs a signed-in user")
    if caller is None:
        query = request.url.query
        raise NotSignedInError(request.url.path + (f"?{query}" if query else ""))
    return caller


def require_admin(caller: Annotated[Caller, Depends(require_user)]) -> Caller:
    """The signed-in user when a system admin; a 403 page otherwise."""
    if not caller.admin:
        raise WebError(403, "only a system admin may see this page")
    return caller


UserDep = Annotated[Caller, Depends(require_user)]
AdminUserDep = Annotated[Caller, Depends(require_admin)]


def csrf_token(request: Request) -> str:
    """The CSRF token forms of this request carry (`csrf_token`, or header X-CSRF-Token)."""
    web_user(request)
    nonce = getattr(request.state, "web_nonce", None)
    if nonce is not None:
        return _sign(_key(request), f"csrf:{nonce}")
    anon = getattr(request.state, "new_anon", None) or request.cookies.get(ANON_COOKIE, "")
    if not 16 <= len(anon) <= 64 or not anon.replace("-", "").replace("_", "").isalnum():
        anon = secrets.token_urlsafe(24)
        request.state.new_anon = anon  # set by `remember_anon` on the response
    return _sign(_key(request), f"csrf-anon:{anon}")


def check_csrf(request: Request, form_value: str | None) -> None:
    """A 403 page unless the form's (or header's) token is this request's CSRF token."""
    given = form_value or request.headers.get(CSRF_HEADER, "")
    if not given or not hmac.compare_digest(given, csrf_token(request)):
        raise WebError(
            403, "this form has expired or came from another site: reload the page and try again"
        )


def remember_anon(request: Request, response: Response) -> None:
    """Set the pre-sign-in CSRF cookie if this request made one."""
    anon = getattr(request.state, "new_anon", None)
    if anon:
        response.set_cookie(
            ANON_COOKIE, anon, httponly=True, samesite="lax", secure=_https(request), path="/"
        )


def set_session_cookie(request: Request, response: Response, value: str) -> None:
    """Give the browser its session cookie (HttpOnly, SameSite=Lax, Secure over https)."""
    response.set_cookie(
        COOKIE,
        value,
        max_age=LIFETIME,
        httponly=True,
        samesite="lax",
        secure=_https(request),
        path="/",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    """Make the browser forget its session cookie."""
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=_https(request))


def _https(request: Request) -> bool:
    return request.url.scheme == "https"
