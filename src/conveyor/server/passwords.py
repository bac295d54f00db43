"""Passwords for signing in to the web pages: argon2id hashes (argon2-cffi), checked in about
the same time whether or not the user exists (a dummy hash stands in for a missing one)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 8
MAX_LENGTH = 1000
"""Longer passwords are refused (argon2 would accept them, but nobody types them)."""


class PasswordRuleError(ValueError):
    """A new password that cannot be used; the message says why (never the password)."""


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with argon2-cffi's recommended parameters


def check_new_password(password: str) -> str:
    """`password` when it may be set; PasswordRuleError otherwise."""
    if len(password) < MIN_LENGTH:
        raise PasswordRuleError(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordRuleError(f"the password must have at most {MAX_LENGTH} characters")
    if "\x00" in password:
        raise PasswordRuleError("the password must not contain a NUL character")
    return password


def hash_password(password: str) -> str:
    """The argon2id hash to store for `password` (checked with `check_new_password`)."""
    return _hasher().hash(check_new_password(password))


@cache
def _dummy_hash() -> str:
    return _hasher().hash("conveyor: no such user")


def verify_password(stored: str | None, password: str) -> bool:
    """Whether `password` matches the `stored` hash; with no hash (no user, or a user without
    a password) a dummy hash is checked, so that the answer takes as long."""
    candidate = password[:MAX_LENGTH]
    try:
        return _hasher().verify(stored or _dummy_hash(), candidate) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether `stored` was made with older parameters than the current ones."""
    try:
        return _hasher().check_needs_rehash(stored)
    except InvalidHashError:
        return True
