"""What went wrong with the ledger file, said so that the reader knows what to do.

SQLite reports a full disk as "database or disk is full" or, when the write-ahead log cannot
grow, as a bare "disk I/O error"; both become "the disk holding DIR is full" when the disk
has (almost) no free space left. Pure: the caller passes the error and the free space.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conveyor import errors

NEARLY_FULL = 1024 * 1024
"""Free bytes under which an I/O error is blamed on a full disk."""
_FULL = frozenset({"SQLITE_FULL"})
_PERMISSION = frozenset({"SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH"})


def describe(exc: BaseException) -> tuple[str, str]:
    """(SQLite's error name or "", its message) of an sqlite3 or OS error."""
    if isinstance(exc, sqlite3.Error):
        return getattr(exc, "sqlite_errorname", "") or "", str(exc)
    if isinstance(exc, OSError):
        return ("SQLITE_FULL" if exc.errno == 28 else ""), exc.strerror or type(exc).__name__
    return "", str(exc) or type(exc).__name__


def ledger_error(
    path: Path, *, name: str, message: str, free_bytes: int | None
) -> errors.EngineError:
    """The error for a ledger that cannot be used; `free_bytes` of its disk (None: unknown)."""
    full = name in _FULL or (
        name.startswith("SQLITE_IOERR") and free_bytes is not None and free_bytes < NEARLY_FULL
    )
    hint = "a new ledger is safe: cached private images are checked with the registry again"
    if full:
        return errors.EngineError(
            f"The image ledger {path} cannot be written: the disk holding {path.parent} is "
            f"full (SQLite: {message}); free space on it, or point CONVEYOR_STATE_DIR at "
            "another disk.",
            hint=hint,
        )
    if name in _PERMISSION:
        fix = "make the state directory and the ledger writable by this user"
    elif name.startswith("SQLITE_IOERR"):
        fix = "check the disk that holds it (the system log says more)"
    else:
        fix = "fix the permissions or free space of the state directory"
    return errors.EngineError(
        f"The image ledger {path} cannot be used ({message}): {fix}, or move the file away "
        "to start a new ledger.",
        hint=hint,
    )
