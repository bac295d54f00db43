"""Users, their API tokens and passwords: tokens are random, shown once, and stored only as
SHA-256; passwords (for the web pages) only as argon2id hashes.

Used by the API, by start-up (CONVEYOR_USER_CREATE, the first admin) and by tests.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conveyor.server.passwords import hash_password
from conveyor.server.settings import UserCreate
from conveyor.server.store.models import User

LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,249}", re.ASCII)


class UserInputError(ValueError):
    """A login or a token that cannot be used; the message names it."""


def new_token() -> str:
    """A fresh random API token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What the database keeps of a token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def check_login(login: str) -> str:
    """`login` when valid; UserInputError otherwise."""
    if not LOGIN.fullmatch(login):
        raise UserInputError(
            f"login {login[:60]!r} must be letters, digits, '.', '_' or '-' (at most 250)"
        )
    return login


def find_user(session: Session, login: str) -> User | None:
    """The user with `login` (exact), or None (also for a login that cannot exist)."""
    if not LOGIN.fullmatch(login):
        return None
    return session.scalar(select(User).where(User.login == login))


def create_user(
    session: Session,
    *,
    login: str,
    admin: bool = False,
    machine: bool = False,
    email: str = "",
    token: str | None = None,
) -> tuple[User, str]:
    """A new user and its token (the token is returned once and stored hashed)."""
    token = token or new_token()
    now = int(time.time())
    user = User(
        login=check_login(login),
        email=email,
        avatar="",
        admin=admin,
        machine=machine,
        active=True,
        token_hash=hash_token(token),
        created=now,
        updated=now,
        last_login=0,
    )
    session.add(user)
    session.flush()
    return user, token


def rotate_token(user: User) -> str:
    """Give `user` a new token; the old one stops working when the session commits."""
    token = new_token()
    user.token_hash = hash_token(token)
    user.updated = int(time.time())
    return token


def set_password(user: User, password: str) -> None:
    """Give `user` a new password (PasswordRuleError when it cannot be used)."""
    user.password_hash = hash_password(password)
    user.updated = int(time.time())


def apply_user_create(session: Session, wanted: UserCreate) -> tuple[User, str | None]:
    """Create or update the CONVEYOR_USER_CREATE user; returns it and a token made for it, if
    the server chose one (None when the setting gave the token or the user already existed)."""
    user = find_user(session, wanted.login)
    if user is None:
        user, token = create_user(
            session,
            login=wanted.login,
            admin=wanted.admin,
            machine=wanted.machine,
            token=wanted.token,
        )
        if wanted.password:
            set_password(user, wanted.password)
        return user, None if wanted.token else token
    user.admin = wanted.admin
    user.machine = wanted.machine
    user.active = True
    if wanted.token:
        user.token_hash = hash_token(wanted.token)
    if wanted.password:
        set_password(user, wanted.password)
    user.updated = int(time.time())
    return user, None


def count_users(session: Session) -> int:
    """How many users exist."""
    return session.scalar(select(func.count()).select_from(User)) or 0
