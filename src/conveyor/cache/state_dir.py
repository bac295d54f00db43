"""Refuse a state directory, ledger or key that another user could change.

The ledger decides which pipeline may run which private image, and the key makes its
fingerprints unforgeable: if another user can write either (a group- or world-writable
directory or file, or one owned by someone else), that user can grant any pipeline any
cached image. Such a state is refused with the path and the fix, never repaired silently.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from conveyor import errors

SIDE_FILES = ("-wal", "-shm")
"""SQLite's companions of the ledger file, which hold recent writes."""


def prepare_state_dir(state_dir: Path, files: Iterable[str]) -> None:
    """Create `state_dir` (0700) if missing; raise ConfigError if it, or any of `files` in
    it that exist (and the ledger's SQLite side files), is not private to this user."""
    try:
        state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise errors.ConfigError(
            f"The state directory {state_dir} cannot be created "
            f"({exc.strerror or type(exc).__name__}): set CONVEYOR_STATE_DIR to a directory "
            "this user may create."
        ) from None
    check_private(state_dir)
    for name in files:
        for suffix in ("", *SIDE_FILES):
            path = state_dir / (name + suffix)
            if os.path.lexists(path):
                check_private(path)


def check_private(path: Path) -> None:
    """Raise ConfigError unless `path` (followed if a link) is owned by this user and
    writable by nobody else."""
    try:
        info = path.stat()
    except OSError as exc:
        raise errors.ConfigError(
            f"{path} cannot be inspected ({exc.strerror or type(exc).__name__})."
        ) from None
    kind = "directory" if stat.S_ISDIR(info.st_mode) else "file"
    if info.st_uid != os.geteuid():
        raise errors.ConfigError(
            f"The state {kind} {path} belongs to another user (uid {info.st_uid}), who could "
            "make Conveyor run private images for pipelines without credentials: use a state "
            "directory of this user (CONVEYOR_STATE_DIR), or give it to this user with chown.",
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        mode = stat.S_IMODE(info.st_mode)
        fix = "chmod 700" if kind == "directory" else "chmod 600"
        raise errors.ConfigError(
            f"The state {kind} {path} may be written by other users (mode {mode:04o}), who "
            "could make Conveyor run private images for pipelines without credentials: "
            f"run `{fix} {path}`.",
        )
