"""The pull ledger: an SQLite file in the runner's state directory recording which credential
context pulled or was verified for which image (registry, repository, digest, image id).

WAL mode, a busy timeout and one short `BEGIN IMMEDIATE` transaction per write make it safe
for concurrent runs and crashes. It stores fingerprints only, never a password or a token,
and reads no environment: the path comes in as an argument.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from conveyor import errors
from conveyor.cache.ledger_problems import describe, ledger_error

_T = TypeVar("_T")
LEDGER_FILE = "image-ledger.sqlite3"
SCHEMA_VERSION = 2
"""2: pulls are recorded only when they prove access (docs/security.md). A version 1 ledger
may hold pulls the engine answered from its own store (by digest) recorded as proofs: they are
dropped on upgrade, and the images they covered are checked with the registry again."""
SCHEMA = """
CREATE TABLE IF NOT EXISTS pulls (
    registry    TEXT NOT NULL,
    repository  TEXT NOT NULL,
    digest      TEXT NOT NULL,   -- '' when the pull reported none
    image_id    TEXT NOT NULL,
    fingerprint TEXT NOT NULL,   -- 'anonymous' or 'hmac-sha256:<hex>'
    pulled_at   REAL NOT NULL,
    PRIMARY KEY (registry, repository, digest, image_id, fingerprint)
);
CREATE INDEX IF NOT EXISTS pulls_by_image ON pulls (registry, repository, image_id);
CREATE TABLE IF NOT EXISTS verifications (
    fingerprint TEXT NOT NULL,
    registry    TEXT NOT NULL,
    repository  TEXT NOT NULL,
    digest      TEXT NOT NULL,   -- '' when only the tag could be checked
    image_id    TEXT NOT NULL,
    verified_at REAL NOT NULL,
    PRIMARY KEY (fingerprint, registry, repository, digest, image_id)
);
CREATE INDEX IF NOT EXISTS verifications_by_repo ON verifications (registry, repository);
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageKey:
    """Which image: where it comes from and what it is (digest preferred, else image id)."""

    registry: str
    repository: str
    digest: str | None
    image_id: str


class Ledger:
    """One ledger file; every method opens its own short connection (thread and fork safe)."""

    __slots__ = ("_busy_ms", "_clock", "_path")

    def __init__(
        self, path: Path, *, busy_timeout: float = 10.0, clock: Callable[[], float] = time.time
    ) -> None:
        self._path = path
        self._busy_ms = int(busy_timeout * 1000)
        self._clock = clock
        self._setup()

    @classmethod
    def in_state_dir(
        cls, state_dir: Path, *, busy_timeout: float = 10.0, clock: Callable[[], float] = time.time
    ) -> Ledger:
        """The ledger `<state_dir>/image-ledger.sqlite3`."""
        return cls(state_dir / LEDGER_FILE, busy_timeout=busy_timeout, clock=clock)

    @property
    def path(self) -> Path:
        return self._path

    def record_pull(self, key: ImageKey, fingerprint: str) -> None:
        """Remember that `fingerprint` pulled this image (now)."""
        with self._write() as db:
            db.execute(
                "INSERT INTO pulls VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE "
                "SET pulled_at = excluded.pulled_at",
                (
                    key.registry,
                    key.repository,
                    key.digest or "",
                    key.image_id,
                    fingerprint,
                    self._clock(),
                ),
            )

    def record_verification(self, key: ImageKey, fingerprint: str) -> None:
        """Remember that the registry let `fingerprint` read this image (now)."""
        with self._write() as db:
            db.execute(
                "INSERT INTO verifications VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE "
                "SET verified_at = excluded.verified_at",
                (
                    fingerprint,
                    key.registry,
                    key.repository,
                    key.digest or "",
                    key.image_id,
                    self._clock(),
                ),
            )

    def known_readers(self, key: ImageKey, *, since: float | None = None) -> frozenset[str]:
        """Fingerprints that pulled, or were verified for, this very image."""
        floor = since if since is not None else float("-inf")
        if key.digest:
            where, subject = "registry = ? AND repository = ? AND digest = ?", key.digest
        else:
            where, subject = "registry = ? AND repository = ? AND image_id = ?", key.image_id
        args = (key.registry, key.repository, subject, floor)
        with self._read() as db:
            rows = db.execute(
                f"SELECT fingerprint FROM pulls WHERE {where} AND pulled_at >= ? "  # noqa: S608
                f"UNION SELECT fingerprint FROM verifications WHERE {where} AND verified_at >= ?",
                args + args,
            ).fetchall()
        return frozenset(row[0] for row in rows)

    def verified_repository(
        self,
        registry: str,
        repository: str,
        fingerprints: Collection[str],
        *,
        since: float | None = None,
    ) -> bool:
        """Did any of `fingerprints` ever pull from, or pass a check on, this repository?"""
        if not fingerprints:
            return False
        floor = since if since is not None else float("-inf")
        marks = ", ".join("?" * len(fingerprints))
        where = f"registry = ? AND repository = ? AND fingerprint IN ({marks})"
        args = (registry, repository, *fingerprints, floor)
        with self._read() as db:
            row = db.execute(
                f"SELECT 1 FROM verifications WHERE {where} AND verified_at >= ? "  # noqa: S608
                f"UNION ALL SELECT 1 FROM pulls WHERE {where} AND pulled_at >= ? LIMIT 1",
                args + args,
            ).fetchone()
        return row is not None

    def _setup(self) -> None:
        try:
            self._path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Create the file ourselves so that it (and SQLite's -wal/-shm beside it) is 0600.
            os.close(os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600))
        except OSError as exc:
            raise self._error(exc) from None
        with self._connection() as db:
            self._switch_to_wal(db)
            version = self._guard(lambda: db.execute("PRAGMA user_version").fetchone()[0])
            if version == SCHEMA_VERSION:
                return
            if version > SCHEMA_VERSION:
                raise self._error(
                    f"it was written by a newer Conveyor (ledger version {version}, this one "
                    f"knows {SCHEMA_VERSION})"
                )
        with self._write() as db:
            _run_script(db, SCHEMA)
            if db.execute("PRAGMA user_version").fetchone()[0] == 1:
                db.execute("DELETE FROM pulls")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _switch_to_wal(self, db: sqlite3.Connection) -> None:
        """WAL persists in the file; the switch itself answers "locked" without waiting when
        other processes race to create the ledger, so it is retried until the busy timeout."""
        deadline = time.monotonic() + self._busy_ms / 1000
        while True:
            try:
                if db.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                    return
                mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode == "wal":
                    return
                problem = f"journal mode stays {mode}"
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    raise self._error(exc) from None
                problem = str(exc)
            if time.monotonic() > deadline:
                raise self._error(problem)
            time.sleep(0.01)

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        try:
            db = sqlite3.connect(self._path, timeout=self._busy_ms / 1000, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        try:
            db.execute(f"PRAGMA busy_timeout = {self._busy_ms}")
            db.execute("PRAGMA synchronous = NORMAL")
            yield db
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        finally:
            db.close()

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as db:
            yield db

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _guard(self, action: Callable[[], _T]) -> _T:
        try:
            return action()
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def _error(self, what: str | BaseException) -> errors.EngineError:
        """The error naming the ledger; a full disk is said as such (cache/ledger_problems)."""
        name, message = ("", what) if isinstance(what, str) else describe(what)
        free: int | None = None
        with contextlib.suppress(OSError):
            free = shutil.disk_usage(self._path.parent).free
        return ledger_error(self._path, name=name, message=message, free_bytes=free)


def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Run DDL statements one by one (`executescript` would commit our open transaction)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)
