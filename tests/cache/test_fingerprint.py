"""Credential fingerprints: keyed, stable per installation, never revealing the secret."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

import pytest

from conveyor import errors
from conveyor.cache.fingerprint import ANONYMOUS, KEY_FILE, Fingerprinter, load_or_create_key
from conveyor.images.credentials import Credential

BASE = Credential(registry="127.0.0.1:5001", username="alice", password="s3cret-pass")


def test_anonymous_and_stable(tmp_path: Path) -> None:
    fp = Fingerprinter.for_state_dir(tmp_path)
    assert fp.of(None) == ANONYMOUS
    again = Fingerprinter.for_state_dir(tmp_path)
    assert fp.of(BASE) == again.of(BASE)
    assert fp.of(BASE).startswith("hmac-sha256:")
    # source and key (where the credential was read) do not change the login
    moved = Credential(
        registry=BASE.registry, username="alice", password="s3cret-pass", source="secret x"
    )
    assert fp.of(moved) == fp.of(BASE)


@pytest.mark.parametrize(
    "other",
    [
        Credential(registry="127.0.0.1:5002", username="alice", password="s3cret-pass"),
        Credential(registry="127.0.0.1:5001", username="bob", password="s3cret-pass"),
        Credential(registry="127.0.0.1:5001", username="alice", password="other"),
        Credential(registry="127.0.0.1:5001", username="alice", identity_token="s3cret-pass"),
        # field boundaries cannot be shifted
        Credential(registry="127.0.0.1:5001", username="alice:s3cret", password="pass"),
    ],
)
def test_every_field_counts(tmp_path: Path, other: Credential) -> None:
    fp = Fingerprinter.for_state_dir(tmp_path)
    assert fp.of(other) != fp.of(BASE)


def test_key_is_per_installation(tmp_path: Path) -> None:
    one = Fingerprinter.for_state_dir(tmp_path / "a")
    two = Fingerprinter.for_state_dir(tmp_path / "b")
    assert one.of(BASE) != two.of(BASE)


def test_key_file_is_private_and_secret_absent(tmp_path: Path) -> None:
    fp = Fingerprinter.for_state_dir(tmp_path / "state")
    key = tmp_path / "state" / KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "s3cret" not in fp.of(BASE)
    assert "s3cret" not in repr(fp)
    assert list((tmp_path / "state").iterdir()) == [key]  # no temporary file left


def test_loose_permissions_are_tightened(tmp_path: Path) -> None:
    load_or_create_key(tmp_path)
    (tmp_path / KEY_FILE).chmod(0o644)
    load_or_create_key(tmp_path)
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600


def test_damaged_key_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE).write_text("not hex\n")
    with pytest.raises(errors.EngineError, match="damaged: delete it"):
        load_or_create_key(tmp_path)


def _key_hex(state_dir: str) -> str:
    return load_or_create_key(Path(state_dir)).hex()


def test_racing_first_use_agrees_on_one_key(tmp_path: Path) -> None:
    with multiprocessing.get_context("fork").Pool(6) as pool:
        keys = pool.map(_key_hex, [str(tmp_path / "state")] * 24)
    assert len(set(keys)) == 1
    assert [p.name for p in (tmp_path / "state").iterdir()] == [KEY_FILE]


def test_key_that_is_not_text_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE).write_bytes(b"\xff\xfe" * 40)
    with pytest.raises(errors.EngineError, match="damaged: delete it"):
        load_or_create_key(tmp_path)


def test_key_path_that_is_a_directory_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE).mkdir()
    with pytest.raises(errors.EngineError, match=r"fingerprint key .* cannot be read"):
        load_or_create_key(tmp_path)


def test_unreadable_key_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_or_create_key(tmp_path)

    def refuse(self: Path, *args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_text", refuse)
    with pytest.raises(errors.EngineError, match=r"cannot be read \(Permission denied\)"):
        load_or_create_key(tmp_path)


def test_key_whose_mode_cannot_be_tightened_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_or_create_key(tmp_path)
    (tmp_path / KEY_FILE).chmod(0o644)

    def refuse(self: Path, mode: int) -> None:
        raise PermissionError(1, "Operation not permitted", str(self))

    monkeypatch.setattr(Path, "chmod", refuse)
    with pytest.raises(errors.EngineError, match="Operation not permitted"):
        load_or_create_key(tmp_path)
