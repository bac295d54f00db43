"""The verify / always-pull / off guards with a scripted registry (no network): what is asked,
as whom, and what the step gets. The real registries are exercised in test_guard_docker.py."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conveyor import errors
from conveyor.cache.decision import ImageCacheMode
from conveyor.cache.guard import (
    OFF_NOTICE,
    AlwaysPullGuard,
    OpenGuard,
    VerifyingGuard,
    default_state_dir,
    make_guard,
    matching_digests,
)
from conveyor.cache.ledger import LEDGER_FILE
from conveyor.images.access import AccessVerdict
from conveyor.images.credentials import Credential
from conveyor.images.reference import Reference, parse_reference
from conveyor.registry.access import AccessCheck

REG = "registry.example.com:5443"
REF = parse_reference(f"{REG}/team/app:1.0")
DIGEST = "sha256:" + "d" * 64
IMAGE_ID = "sha256:" + "e" * 64
REPO_DIGESTS = [f"{REG}/team/app@{DIGEST}"]
ALICE = Credential(registry=REG, username="alice", password="alice-pw", source="secret alice")
BOB = Credential(registry=REG, username="bob", password="bob-pw", source="secret bob")


@dataclass
class Registry:
    """A scripted registry: the verdict for each username (None = anonymous)."""

    answers: dict[str | None, AccessVerdict] = field(default_factory=dict)
    calls: list[tuple[str, str | None]] = field(default_factory=list)

    def __call__(
        self, *, registry: str, repository: str, reference: str, credential: Credential | None
    ) -> AccessCheck:
        assert (registry, repository) == (REG, "team/app")
        user = credential.username if credential else None
        self.calls.append((reference, user))
        verdict = self.answers.get(user, AccessVerdict.DENIED)
        return AccessCheck(verdict=verdict, reason=f"scripted {verdict.value}")


class Clock:
    def __init__(self) -> None:
        self.now = 10_000.0

    def __call__(self) -> float:
        return self.now


def _guard(
    tmp_path: Path, registry: Registry, *, max_age: float | None = None, clock: Clock | None = None
) -> tuple[VerifyingGuard, list[str]]:
    lines: list[str] = []
    guard = make_guard(
        "verify",
        tmp_path,
        checker=registry,
        clock=clock or Clock(),
        max_age=max_age,
        report=lines.append,
    )
    assert isinstance(guard, VerifyingGuard)
    return guard, lines


def _use(
    guard: VerifyingGuard, candidates: list[Credential], digests: list[str] | None = None
) -> None:
    guard.before_use(
        reference=REF,
        image_id=IMAGE_ID,
        repo_digests=REPO_DIGESTS if digests is None else digests,
        candidates=candidates,
    )


def _pulled(
    guard: VerifyingGuard,
    credential: Credential | None,
    *,
    reference: Reference = REF,
    digest: str | None = DIGEST,
    image_id: str = IMAGE_ID,
) -> None:
    """A pull that fetched the image (nothing was cached under that name before)."""
    guard.after_pull(
        reference=reference,
        digest=digest,
        image_id=image_id,
        credential=credential,
        candidates=(),
        cached_id=None,
    )


def test_same_credential_runs_without_a_registry_call(tmp_path: Path) -> None:
    registry = Registry()
    guard, _ = _guard(tmp_path, registry)
    _pulled(guard, ALICE)
    _use(guard, [BOB, ALICE])
    assert registry.calls == []


def test_anonymous_pull_is_public(tmp_path: Path) -> None:
    registry = Registry()
    guard, _ = _guard(tmp_path, registry)
    _pulled(guard, None)
    _use(guard, [])
    _use(guard, [BOB])
    assert registry.calls == []


def test_other_credential_is_checked_then_remembered(tmp_path: Path) -> None:
    registry = Registry(answers={"bob": AccessVerdict.ALLOWED})
    guard, lines = _guard(tmp_path, registry)
    _pulled(guard, ALICE)
    _use(guard, [BOB])
    assert registry.calls == [(DIGEST, "bob")]
    assert "confirmed" in lines[0]
    _use(guard, [BOB])  # verified for this digest: no second call
    assert registry.calls == [(DIGEST, "bob")]


def test_candidates_in_order_then_anonymous(tmp_path: Path) -> None:
    registry = Registry(answers={None: AccessVerdict.ALLOWED})
    guard, _ = _guard(tmp_path, registry)
    _pulled(guard, ALICE)
    _use(guard, [BOB, Credential(registry=REG, username="carol", password="c")])
    assert registry.calls == [(DIGEST, "bob"), (DIGEST, "carol"), (DIGEST, None)]
    # anonymous access was allowed: from now on the image is public for everyone
    _use(guard, [])
    assert len(registry.calls) == 3


def test_refused_everywhere_is_denied_with_a_helpful_message(tmp_path: Path) -> None:
    registry = Registry()
    guard, _ = _guard(tmp_path, registry)
    _pulled(guard, ALICE)
    with pytest.raises(errors.ImageAccessDeniedError) as caught:
        _use(guard, [BOB])
    error = caught.value
    assert registry.calls == [(DIGEST, "bob"), (DIGEST, None)]
    assert "is private" in error.message
    assert "secret bob" in error.message
    assert error.hint is not None
    assert "image_pull_secrets" in error.hint
    assert "config.json" in error.hint
    assert "bob-pw" not in error.render()
    assert "alice" not in error.render()
    assert error.exit_code == 1


def test_no_credentials_at_all_is_denied(tmp_path: Path) -> None:
    registry = Registry()
    guard, _ = _guard(tmp_path, registry)
    _pulled(guard, ALICE)
    with pytest.raises(errors.ImageAccessDeniedError, match="has no credential for"):
        _use(guard, [])
    assert registry.calls == [(DIGEST, None)]


def test_unreachable_fails_closed_when_never_verified(tmp_path: Path) -> None:
    registry = Registry(answers={"bob": AccessVerdict.UNREACHABLE})
    guard, _ = _guard(tmp_path, registry)
    _pulled(guard, ALICE)
    with pytest.raises(errors.ImageAccessDeniedError, match="fails closed") as caught:
        _use(guard, [BOB])
    assert registry.calls == [(DIGEST, "bob")]  # no anonymous retry against a dead registry
    assert "scripted unreachable" in caught.value.message


def test_unreachable_runs_when_verified_for_the_repository_before(tmp_path: Path) -> None:
    registry = Registry(answers={"bob": AccessVerdict.ALLOWED})
    guard, lines = _guard(tmp_path, registry)
    newer = "sha256:" + "0" * 64
    _pulled(guard, ALICE)
    _use(guard, [BOB])  # bob verified for team/app (this digest)
    # a new image of the same repository, pulled by alice; the registry is now down
    _pulled(guard, ALICE, digest=newer, image_id="sha256:" + "f" * 64)
    registry.answers["bob"] = AccessVerdict.UNREACHABLE
    guard.before_use(
        reference=REF,
        image_id="sha256:" + "f" * 64,
        repo_digests=[f"{REG}/team/app@{newer}"],
        candidates=[BOB],
    )
    assert "unreachable" in lines[-1]


def test_unknown_provenance_is_checked_by_digest(tmp_path: Path) -> None:
    registry = Registry(answers={"alice": AccessVerdict.ALLOWED})
    guard, _ = _guard(tmp_path, registry)
    _use(guard, [ALICE])  # never pulled by Conveyor
    assert registry.calls == [(DIGEST, "alice")]


def test_no_repo_digest_is_checked_by_tag(tmp_path: Path) -> None:
    registry = Registry()
    guard, _ = _guard(tmp_path, registry)
    with pytest.raises(errors.ImageAccessDeniedError, match="at that tag"):
        _use(guard, [], digests=[])
    assert registry.calls == [("1.0", None)]


def test_max_age_makes_old_entries_unknown(tmp_path: Path) -> None:
    clock = Clock()
    registry = Registry(answers={"alice": AccessVerdict.ALLOWED})
    guard, _ = _guard(tmp_path, registry, max_age=3600, clock=clock)
    _pulled(guard, ALICE)
    _use(guard, [ALICE])
    assert registry.calls == []
    clock.now += 7200
    _use(guard, [ALICE])
    assert registry.calls == [(DIGEST, "alice")]


def test_modes(tmp_path: Path) -> None:
    off = make_guard("off", tmp_path / "off")
    assert isinstance(off, OpenGuard)
    assert off.notice == OFF_NOTICE
    assert not off.forces_pull()
    off.before_use(reference=REF, image_id=IMAGE_ID, repo_digests=[], candidates=[])
    assert not (tmp_path / "off").exists()  # off keeps no ledger
    strict = make_guard("always-pull", tmp_path / "strict", checker=Registry())
    assert isinstance(strict, AlwaysPullGuard)
    assert strict.forces_pull()
    assert strict.notice is None
    verify = make_guard("verify", tmp_path / "verify", checker=Registry())
    assert not verify.forces_pull()
    with pytest.raises(errors.UsageError, match="verify, always-pull, off"):
        make_guard("paranoid", tmp_path)


@pytest.mark.parametrize(
    ("reference", "repo_digests", "expected"),
    [
        (REF.string(), REPO_DIGESTS, [DIGEST]),
        (
            REF.string(),
            [f"{REG}/team/other@{DIGEST}", "garbage@@", f"{REG}/team/app@{DIGEST}"],
            [DIGEST],
        ),
        (REF.string(), [f"other.example.com/team/app@{DIGEST}"], []),
        ("busybox:1.36", [f"busybox@{DIGEST}"], [DIGEST]),
        ("docker.io/library/busybox:1.36", [f"docker.io/library/busybox@{DIGEST}"], [DIGEST]),
        (f"{REG}/team/app@{DIGEST}", [], [DIGEST]),
    ],
)
def test_matching_digests(reference: str, repo_digests: list[str], expected: list[str]) -> None:
    assert matching_digests(parse_reference(reference), repo_digests) == expected


def test_every_mode_fits_the_runner_protocol(tmp_path: Path) -> None:
    """mypy checks the assignment below against runner/image_guard.py's ImageGuard."""
    from conveyor.runner.image_guard import ImageGuard

    guards: list[ImageGuard] = [
        make_guard(mode, tmp_path / mode, checker=Registry()) for mode in ImageCacheMode
    ]
    assert [g.forces_pull() for g in guards] == [False, True, False]


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "/home/ci/.local/state/conveyor"),
        ({"XDG_STATE_HOME": "/xdg"}, "/xdg/conveyor"),
        ({"XDG_STATE_HOME": "/xdg", "CONVEYOR_STATE_DIR": "/srv/conveyor"}, "/srv/conveyor"),
        ({"CONVEYOR_STATE_DIR": ""}, "/home/ci/.local/state/conveyor"),
    ],
)
def test_default_state_dir(environ: dict[str, str], expected: str) -> None:
    assert default_state_dir(environ, Path("/home/ci")) == Path(expected)


def test_a_pull_with_nothing_to_record_is_ignored(tmp_path: Path) -> None:
    guard, _ = _guard(tmp_path, Registry())
    _pulled(guard, ALICE, digest=None, image_id="")
    _pulled(guard, ALICE, digest=None)
    with sqlite3.connect(tmp_path / LEDGER_FILE) as db:
        assert db.execute("SELECT image_id FROM pulls").fetchall() == [(IMAGE_ID,)]


def test_a_docker_hub_name_never_pulled_is_a_local_build(tmp_path: Path) -> None:
    registry = Registry()
    guard, lines = _guard(tmp_path, registry)
    guard.before_use(
        reference=parse_reference("ci-test/busybox:1"),
        image_id=IMAGE_ID,
        repo_digests=[],
        candidates=[],
    )
    assert registry.calls == []
    assert lines == []


def test_a_retagged_image_is_judged_by_the_repository_that_served_it(tmp_path: Path) -> None:
    registry = Registry(answers={"alice": AccessVerdict.ALLOWED})
    guard, _ = _guard(tmp_path, registry)
    with pytest.raises(errors.ImageAccessDeniedError):
        guard.before_use(
            reference=parse_reference("innocent/name:1"),
            image_id=IMAGE_ID,
            repo_digests=REPO_DIGESTS,
            candidates=[],
        )
    assert registry.calls == [(DIGEST, None)]
    guard.before_use(
        reference=parse_reference("innocent/name:1"),
        image_id=IMAGE_ID,
        repo_digests=REPO_DIGESTS,
        candidates=[ALICE],
    )
    assert registry.calls[-1] == (DIGEST, "alice")


MIRROR = "mirror.example.com"
MIRROR_DIGEST = "sha256:" + "f" * 64


def test_a_retagged_image_also_served_publicly_runs(tmp_path: Path) -> None:
    """Served by a private repository and by a public one: the content is public, so the step
    runs, whichever repository Docker happens to list first."""
    asked: list[tuple[str, str, str | None]] = []

    def registry(
        *, registry: str, repository: str, reference: str, credential: Credential | None
    ) -> AccessCheck:
        asked.append((registry, repository, credential.username if credential else None))
        verdict = AccessVerdict.ALLOWED if registry == MIRROR else AccessVerdict.DENIED
        return AccessCheck(verdict=verdict, reason=f"scripted {verdict.value}")

    guard = make_guard("verify", tmp_path / "state", checker=registry, clock=Clock())
    assert isinstance(guard, VerifyingGuard)
    served = [*REPO_DIGESTS, f"{MIRROR}/public/app@{MIRROR_DIGEST}"]
    guard.before_use(
        reference=parse_reference("innocent/name:1"),
        image_id=IMAGE_ID,
        repo_digests=served,
        candidates=[],
    )
    assert asked == [(REG, "team/app", None), (MIRROR, "public/app", None)]
    guard.before_use(  # remembered: no second question
        reference=parse_reference("other/name:2"),
        image_id=IMAGE_ID,
        repo_digests=served,
        candidates=[],
    )
    assert len(asked) == 2


def test_a_retagged_image_known_public_through_its_second_repository_runs(
    tmp_path: Path,
) -> None:
    registry = Registry()
    guard, _ = _guard(tmp_path, registry)
    _pulled(guard, None, reference=parse_reference(f"{MIRROR}/public/app:1"), digest=MIRROR_DIGEST)
    guard.before_use(
        reference=parse_reference("innocent/name:1"),
        image_id=IMAGE_ID,
        repo_digests=[*REPO_DIGESTS, f"{MIRROR}/public/app@{MIRROR_DIGEST}"],
        candidates=[],
    )
    assert registry.calls == []


def test_a_retagged_private_image_names_the_registry_that_served_it(tmp_path: Path) -> None:
    guard, _ = _guard(tmp_path, Registry())
    with pytest.raises(errors.ImageAccessDeniedError) as caught:
        guard.before_use(
            reference=parse_reference("innocent/name:1"),
            image_id=IMAGE_ID,
            repo_digests=REPO_DIGESTS,
            candidates=[],
        )
    message = caught.value.render()
    assert f"no credential for {REG}" in message
    assert f"{REG}/team/app" in message
