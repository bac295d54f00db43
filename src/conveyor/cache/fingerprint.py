"""Fingerprints of credential contexts: HMAC-SHA256 over (registry, username, secret) with a
per-installation random key kept in the state directory (0600, created atomically).

A fingerprint lets the ledger tell "the same login" apart from "another login" without ever
storing a password or a token; without the key file nobody can test a guessed password
against the ledger. This module never logs, prints or returns a secret.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from conveyor import errors
from conveyor.images.credentials import Credential

ANONYMOUS = "anonymous"
"""The fingerprint of a pull or check made without credentials."""

KEY_FILE = "fingerprint.key"
KEY_BYTES = 32


class Fingerprinter:
    """Computes fingerprints with the installation key of one state directory."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("a fingerprint key needs at least 16 bytes")
        self._key = key

    def __repr__(self) -> str:
        return "Fingerprinter(key=<hidden>)"

    @classmethod
    def for_state_dir(cls, state_dir: Path) -> Fingerprinter:
        """The fingerprinter of `state_dir`, creating its key on first use."""
        return cls(load_or_create_key(state_dir))

    def of(self, credential: Credential | None) -> str:
        """`anonymous`, or `hmac-sha256:<hex>` of the credential's registry, user and secret."""
        if credential is None:
            return ANONYMOUS
        secret = credential.identity_token or credential.password
        kind = "token" if credential.identity_token else "password"
        # Length-prefixed fields: no two different tuples can produce the same message.
        message = b"".join(
            len(part).to_bytes(4, "big") + part
            for part in (
                credential.registry.lower().encode(),
                credential.username.encode(),
                kind.encode(),
                secret.encode(),
            )
        )
        return "hmac-sha256:" + hmac.new(self._key, message, hashlib.sha256).hexdigest()


def load_or_create_key(state_dir: Path) -> bytes:
    """Read `<state_dir>/fingerprint.key`; create it (0600, atomically) when it is missing.

    Creation writes a temporary file and links it into place: `link` never overwrites, so two
    runs racing on first use agree on one key, and a crash never leaves a half-written key.
    """
    path = state_dir / KEY_FILE
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    try:
        state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = state_dir / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(secrets.token_hex(KEY_BYTES) + "\n")
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return _read_key(path)
    except OSError as exc:
        raise errors.EngineError(
            f"Cannot create the fingerprint key {path} ({_reason(exc)}): "
            "make the state directory writable by the runner."
        ) from None


def _read_key(path: Path) -> bytes:
    """The key in `path`; FileNotFoundError when there is none, EngineError when it is unusable."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise
    except UnicodeDecodeError:
        text = ""  # not the hex we write: damaged
    except OSError as exc:
        raise errors.EngineError(
            f"The fingerprint key {path} cannot be read ({_reason(exc)}): make it a file the "
            "runner can read, or delete it (the image ledger beside it is then useless and may "
            "be deleted too)."
        ) from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise errors.EngineError(
            f"The fingerprint key {path} is damaged: delete it (the image ledger beside it is then "
            "useless and may be deleted too)."
        )
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except OSError as exc:
        raise errors.EngineError(
            f"The fingerprint key {path} is readable by other users and cannot be made private "
            f"({_reason(exc)}): give it mode 0600 and the runner's owner."
        ) from None
    return key


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
