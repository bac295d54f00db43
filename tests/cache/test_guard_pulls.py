"""What a pull proves (VerifyingGuard.after_pull) with a scripted registry: a pull the engine
may have answered from its own store is checked with the registry and never recorded as a
pull; an unreachable registry falls back only on this pipeline's own logins."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from conveyor import errors
from conveyor.cache.guard import VerifyingGuard, make_guard
from conveyor.cache.ledger import LEDGER_FILE
from conveyor.images.access import AccessVerdict
from conveyor.images.credentials import Credential
from conveyor.images.reference import Reference, parse_reference
from tests.cache.test_guard import ALICE, BOB, DIGEST, IMAGE_ID, REF, REG, Registry

PINNED = parse_reference(f"{REG}/team/app@{DIGEST}")
NEWER_ID = "sha256:" + "f" * 64


def _guard(tmp_path: Path, registry: Registry) -> tuple[VerifyingGuard, list[str]]:
    lines: list[str] = []
    guard = make_guard("verify", tmp_path, checker=registry, report=lines.append)
    assert isinstance(guard, VerifyingGuard)
    return guard, lines


def _pull(
    guard: VerifyingGuard,
    *,
    reference: Reference = REF,
    used: Credential | None,
    candidates: list[Credential],
    cached_id: str | None,
    image_id: str = IMAGE_ID,
) -> None:
    guard.after_pull(
        reference=reference,
        digest=DIGEST,
        image_id=image_id,
        credential=used,
        candidates=candidates,
        cached_id=cached_id,
    )


def _rows(tmp_path: Path, table: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(tmp_path / LEDGER_FILE) as db:
        return db.execute(f"SELECT fingerprint, digest FROM {table}").fetchall()


def test_a_digest_pull_without_credentials_is_checked_and_refused(tmp_path: Path) -> None:
    registry = Registry()
    guard, _ = _guard(tmp_path, registry)
    with pytest.raises(errors.ImageAccessDeniedError, match="has no credential for"):
        _pull(guard, reference=PINNED, used=None, candidates=[], cached_id=None)
    assert registry.calls == [(DIGEST, None)]
    assert _rows(tmp_path, "pulls") == []
    assert _rows(tmp_path, "verifications") == []


def test_a_digest_pull_is_recorded_as_the_check_that_allowed_it(tmp_path: Path) -> None:
    registry = Registry(answers={"bob": AccessVerdict.ALLOWED})
    guard, lines = _guard(tmp_path, registry)
    _pull(guard, reference=PINNED, used=ALICE, candidates=[ALICE, BOB], cached_id=None)
    assert registry.calls == [(DIGEST, "alice"), (DIGEST, "bob")]
    assert _rows(tmp_path, "pulls") == []
    [(fingerprint, digest)] = _rows(tmp_path, "verifications")
    assert (str(fingerprint).startswith("hmac-sha256:"), digest) == (True, DIGEST)
    assert "confirmed" in lines[0]


def test_a_digest_pull_known_to_the_ledger_asks_nobody(tmp_path: Path) -> None:
    registry = Registry(answers={"alice": AccessVerdict.ALLOWED})
    guard, _ = _guard(tmp_path, registry)
    _pull(guard, used=ALICE, candidates=[ALICE], cached_id=None)  # a tag pull that fetched
    _pull(guard, reference=PINNED, used=ALICE, candidates=[ALICE], cached_id=None)
    assert registry.calls == []


def test_a_tag_pull_that_left_the_cached_image_unchanged_is_checked(tmp_path: Path) -> None:
    registry = Registry()
    guard, _ = _guard(tmp_path, registry)
    with pytest.raises(errors.ImageAccessDeniedError, match="is private"):
        _pull(guard, used=None, candidates=[], cached_id=IMAGE_ID)
    assert registry.calls == [(DIGEST, None)]
    assert _rows(tmp_path, "pulls") == []


def test_a_tag_pull_that_brought_a_new_image_is_a_proof(tmp_path: Path) -> None:
    registry = Registry()
    guard, _ = _guard(tmp_path, registry)
    _pull(guard, used=None, candidates=[], cached_id=NEWER_ID)
    _pull(guard, used=ALICE, candidates=[ALICE], cached_id=None, image_id=NEWER_ID)
    assert registry.calls == []
    assert len(_rows(tmp_path, "pulls")) == 2


def test_unreachable_does_not_fall_back_on_an_anonymous_record(tmp_path: Path) -> None:
    """A pipeline without credentials, a repository once read anonymously, a new digest."""
    registry = Registry(answers={None: AccessVerdict.UNREACHABLE})
    guard, lines = _guard(tmp_path, registry)
    _pull(guard, used=None, candidates=[], cached_id=None, image_id=NEWER_ID)
    other = "sha256:" + "a" * 64
    with pytest.raises(errors.ImageAccessDeniedError, match="fails closed"):
        guard.before_use(
            reference=REF,
            image_id=IMAGE_ID,
            repo_digests=[f"{REG}/team/app@{other}"],
            candidates=[],
        )
    assert registry.calls == [(other, None)]
    assert not any("verified" in line for line in lines)


def test_unreachable_falls_back_on_this_pipelines_own_login(tmp_path: Path) -> None:
    registry = Registry(answers={"alice": AccessVerdict.UNREACHABLE})
    guard, lines = _guard(tmp_path, registry)
    _pull(guard, used=ALICE, candidates=[ALICE], cached_id=None, image_id=NEWER_ID)
    guard.before_use(
        reference=REF,
        image_id=IMAGE_ID,
        repo_digests=[f"{REG}/team/app@sha256:{'a' * 64}"],
        candidates=[ALICE],
    )
    assert "own login was verified for that repository" in lines[-1]
