"""Secrets at rest: AES-256-GCM with a random 96-bit nonce and scope+name as associated data.

The key lives in a file (base64 of 32 bytes, mode 0600). A known-plaintext check value stored
in the database tells a wrong key at start. Nothing here logs or returns a plaintext in an error.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from conveyor.errors import ConfigError, SecretError

KEY_BYTES = 32
NONCE_BYTES = 12
CHECK_PLAINTEXT = b"conveyor secret key check v1"
CHECK_AAD = b"meta:key-check"


class DecryptError(SecretError):
    """A stored value does not decrypt with this key and these associated data."""


class Cipher:
    """Encrypts and decrypts values with one key; the key never appears in a repr."""

    __slots__ = ("_aead", "_root")

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ConfigError(f"the secret key must be {KEY_BYTES} bytes")
        self._aead = AESGCM(key)
        self._root = hmac.digest(key, b"conveyor derived keys v1", hashlib.sha256)

    def __repr__(self) -> str:
        return "Cipher(<key hidden>)"

    def encrypt(self, plaintext: bytes, *, aad: bytes) -> bytes:
        """nonce || ciphertext+tag; a fresh random nonce every time."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, aad)

    def decrypt(self, blob: bytes, *, aad: bytes) -> bytes:
        """The plaintext; DecryptError when the key, the data or the associated data differ."""
        if len(blob) < NONCE_BYTES + 16:
            raise DecryptError("a stored value is too short to be an encrypted value")
        try:
            return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
        except InvalidTag:
            raise DecryptError(
                "a stored value does not decrypt with this key (wrong key, or a row was moved)"
            ) from None

    def derive(self, purpose: str) -> bytes:
        """A 32-byte key for `purpose` (e.g. signing web session cookies), derived from the
        secret key; another purpose, or another secret key, gives an unrelated key."""
        return hmac.digest(self._root, purpose.encode(), hashlib.sha256)

    def check_value(self) -> bytes:
        """The known plaintext, encrypted: stored once so that a wrong key is seen at start."""
        return self.encrypt(CHECK_PLAINTEXT, aad=CHECK_AAD)

    def matches(self, check: bytes) -> bool:
        """Whether `check` (from `check_value`) was made with this key."""
        try:
            return self.decrypt(check, aad=CHECK_AAD) == CHECK_PLAINTEXT
        except DecryptError:
            return False


def secret_aad(scope: str, name: str) -> bytes:
    """Associated data of a secret: `repo:owner/name:NAME` or `org:ORG:NAME`."""
    return f"{scope}:{name}".encode()


def hook_aad(slug: str) -> bytes:
    """Associated data of a repository's webhook secret."""
    return f"hook:{slug}".encode()


def read_key(path: Path) -> bytes:
    """The key in `path`; ConfigError (one sentence) when it is unreadable or malformed."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not ASCII text"
        raise ConfigError(f"cannot read the secret key file {path}: {reason}") from None
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise ConfigError(
            f"the secret key file {path} must hold the base64 of {KEY_BYTES} random bytes"
        )
    return key


def create_key(path: Path) -> bytes:
    """A new random key written to `path` with mode 0600; refuses to overwrite a file."""
    key = secrets.token_bytes(KEY_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError(
            f"the secret key file {path} already exists; not overwriting it"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot create the secret key file {path}: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(base64.b64encode(key).decode("ascii") + "\n")
    return key
