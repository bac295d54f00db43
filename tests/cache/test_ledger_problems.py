"""A ledger on a full disk says so (with the directory), not "disk I/O error"."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conveyor import errors
from conveyor.cache.ledger import ImageKey, Ledger
from conveyor.cache.ledger_problems import NEARLY_FULL, describe, ledger_error

PATH = Path("/var/lib/conveyor/image-ledger.sqlite3")


@pytest.mark.parametrize(
    ("name", "message", "free", "expected"),
    [
        ("SQLITE_FULL", "database or disk is full", 10**9, "the disk holding /var/lib/conveyor"),
        ("SQLITE_IOERR_WRITE", "disk I/O error", 0, "the disk holding /var/lib/conveyor is full"),
        ("SQLITE_IOERR_SHMSIZE", "disk I/O error", NEARLY_FULL - 1, "is full (SQLite: disk I/O"),
        ("SQLITE_IOERR_WRITE", "disk I/O error", 10**9, "check the disk that holds it"),
        ("SQLITE_IOERR", "disk I/O error", None, "check the disk that holds it"),
        ("SQLITE_READONLY", "attempt to write a readonly database", 10**9, "writable by this"),
        ("SQLITE_CORRUPT", "database disk image is malformed", 10**9, "move the file away"),
    ],
)
def test_ledger_error(name: str, message: str, free: int | None, expected: str) -> None:
    error = ledger_error(PATH, name=name, message=message, free_bytes=free)
    assert expected in error.message
    assert str(PATH) in error.message


def test_describe() -> None:
    assert describe(OSError(errno.ENOSPC, "No space left on device")) == (
        "SQLITE_FULL",
        "No space left on device",
    )
    assert describe(sqlite3.OperationalError("boom"))[1] == "boom"


@contextlib.contextmanager
def _tiny_disk(where: Path) -> Iterator[Path]:
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("a small tmpfs cannot be mounted here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small disk needs root")
def test_a_full_disk_is_named(tmp_path: Path) -> None:
    with _tiny_disk(tmp_path / "disk") as disk:
        ledger = Ledger.in_state_dir(disk / "state")
        with pytest.raises(errors.EngineError) as caught:
            _fill(ledger)
        message = caught.value.message
        assert f"the disk holding {disk / 'state'} is full" in message, message
        assert "CONVEYOR_STATE_DIR" in message


def _fill(ledger: Ledger) -> None:
    for number in range(10_000):
        repository = f"team/{'x' * 200}{number}"
        ledger.record_pull(
            ImageKey(registry="r", repository=repository, digest=None, image_id="i"), "fp"
        )
