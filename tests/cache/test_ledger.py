"""The SQLite pull ledger: lookups, concurrent writers in several processes, crashes."""

from __future__ import annotations

import multiprocessing
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conveyor import errors
from conveyor.cache.ledger import LEDGER_FILE, ImageKey, Ledger

KEY = ImageKey(
    registry="127.0.0.1:5001",
    repository="team/app",
    digest="sha256:" + "a" * 64,
    image_id="sha256:" + "1" * 64,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_known_readers_by_digest_and_by_image_id(tmp_path: Path) -> None:
    ledger = Ledger.in_state_dir(tmp_path)
    ledger.record_pull(KEY, "fp-a")
    ledger.record_verification(KEY, "fp-b")
    assert ledger.known_readers(KEY) == {"fp-a", "fp-b"}
    no_digest = ImageKey(
        registry=KEY.registry, repository=KEY.repository, digest=None, image_id=KEY.image_id
    )
    assert ledger.known_readers(no_digest) == {"fp-a", "fp-b"}
    other_repo = ImageKey(
        registry=KEY.registry, repository="team/other", digest=KEY.digest, image_id=KEY.image_id
    )
    assert ledger.known_readers(other_repo) == frozenset()
    other_digest = ImageKey(
        registry=KEY.registry,
        repository=KEY.repository,
        digest="sha256:" + "b" * 64,
        image_id=KEY.image_id,
    )
    assert ledger.known_readers(other_digest) == frozenset()


def test_verified_repository_counts_pulls_and_checks(tmp_path: Path) -> None:
    ledger = Ledger.in_state_dir(tmp_path)
    assert not ledger.verified_repository(KEY.registry, KEY.repository, ["fp-a"])
    ledger.record_pull(KEY, "fp-a")
    ledger.record_verification(KEY, "fp-b")
    assert ledger.verified_repository(KEY.registry, KEY.repository, ["fp-x", "fp-a"])
    assert ledger.verified_repository(KEY.registry, KEY.repository, ["fp-b"])
    assert not ledger.verified_repository(KEY.registry, KEY.repository, ["fp-x"])
    assert not ledger.verified_repository(KEY.registry, "team/other", ["fp-a"])
    assert not ledger.verified_repository(KEY.registry, KEY.repository, [])


def test_since_ignores_old_entries_and_writes_refresh_them(tmp_path: Path) -> None:
    clock = Clock()
    ledger = Ledger.in_state_dir(tmp_path, clock=clock)
    ledger.record_pull(KEY, "fp-a")
    clock.now = 2000.0
    assert ledger.known_readers(KEY, since=1500.0) == frozenset()
    assert not ledger.verified_repository(KEY.registry, KEY.repository, ["fp-a"], since=1500.0)
    ledger.record_pull(KEY, "fp-a")  # same row, newer time: no duplicate
    assert ledger.known_readers(KEY, since=1500.0) == {"fp-a"}
    with sqlite3.connect(ledger.path) as db:
        assert db.execute("SELECT count(*) FROM pulls").fetchone()[0] == 1


def test_file_is_private_wal_and_holds_no_password(tmp_path: Path) -> None:
    ledger = Ledger.in_state_dir(tmp_path / "state")
    ledger.record_pull(KEY, "fp-a")
    assert ledger.path == tmp_path / "state" / LEDGER_FILE
    assert stat.S_IMODE(ledger.path.stat().st_mode) == 0o600
    with sqlite3.connect(ledger.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / LEDGER_FILE).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(errors.EngineError, match="cannot be used") as caught:
        Ledger.in_state_dir(tmp_path)
    assert str(tmp_path / LEDGER_FILE) in caught.value.message


def _writer(args: tuple[str, int]) -> int:
    state_dir, worker = args
    ledger = Ledger.in_state_dir(Path(state_dir))
    for i in range(40):
        key = ImageKey(
            registry="r", repository=f"w{worker}/app", digest=f"sha256:{i:064x}", image_id="i"
        )
        ledger.record_pull(key, f"fp-{worker}")
        ledger.record_verification(key, f"fp-{worker}-v")
        assert f"fp-{worker}" in ledger.known_readers(key)
    return worker


def test_concurrent_writers_in_several_processes(tmp_path: Path) -> None:
    workers = 6
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        done = pool.map(_writer, [(str(tmp_path), w) for w in range(workers)])
    assert sorted(done) == list(range(workers))
    with sqlite3.connect(tmp_path / LEDGER_FILE) as db:
        assert db.execute("SELECT count(*) FROM pulls").fetchone()[0] == workers * 40
        assert db.execute("SELECT count(*) FROM verifications").fetchone()[0] == workers * 40


CRASH = textwrap.dedent(
    """
    import os, signal, sqlite3, sys
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    for i in range(500):
        db.execute("INSERT INTO pulls VALUES ('r', 'crash/app', ?, 'i', 'fp-crash', 0)",
                   (f"sha256:{i:064x}",))
    os.kill(os.getpid(), signal.SIGKILL)   # dies holding the write lock, nothing committed
    """
)


def test_a_crash_mid_transaction_leaves_a_usable_ledger(tmp_path: Path) -> None:
    ledger = Ledger.in_state_dir(tmp_path)
    ledger.record_pull(KEY, "fp-before")
    crashed = subprocess.run([sys.executable, "-c", CRASH, str(ledger.path)], check=False)
    assert crashed.returncode == -9
    # the lock died with the process; the committed row survives, the uncommitted ones do not
    ledger.record_pull(KEY, "fp-after")
    assert ledger.known_readers(KEY) == {"fp-before", "fp-after"}
    with sqlite3.connect(ledger.path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute(
            "SELECT count(*) FROM pulls WHERE fingerprint = 'fp-crash'"
        ).fetchone() == (0,)


def test_a_ledger_of_a_newer_conveyor_is_refused_and_kept(tmp_path: Path) -> None:
    Ledger.in_state_dir(tmp_path)
    path = tmp_path / LEDGER_FILE
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(errors.EngineError, match="written by a newer Conveyor"):
        Ledger.in_state_dir(tmp_path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 99


def test_a_version_1_ledger_loses_its_pulls_and_keeps_its_checks(tmp_path: Path) -> None:
    """Version 1 recorded digest pulls that the engine answered from its store as proofs."""
    ledger = Ledger.in_state_dir(tmp_path)
    ledger.record_pull(KEY, "anonymous")
    ledger.record_verification(KEY, "fp-checked")
    with sqlite3.connect(ledger.path) as db:
        db.execute("PRAGMA user_version = 1")
    upgraded = Ledger.in_state_dir(tmp_path)
    assert upgraded.known_readers(KEY) == {"fp-checked"}
    with sqlite3.connect(ledger.path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    upgraded.record_pull(KEY, "fp-new")
    assert Ledger.in_state_dir(tmp_path).known_readers(KEY) == {"fp-checked", "fp-new"}
