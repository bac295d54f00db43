"""AES-256-GCM at rest: round trip, associated data binds a value to its scope and name."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from conveyor.errors import ConfigError
from conveyor.server.crypto import Cipher, DecryptError, create_key, read_key, secret_aad


def test_round_trip_and_fresh_nonce() -> None:
    cipher = Cipher(b"k" * 32)
    aad = secret_aad("repo:o/n", "TOKEN")
    one = cipher.encrypt(b"value", aad=aad)
    two = cipher.encrypt(b"value", aad=aad)
    assert one != two
    assert b"value" not in one
    assert cipher.decrypt(one, aad=aad) == b"value"


def test_other_scope_or_name_or_key_does_not_decrypt() -> None:
    cipher = Cipher(b"k" * 32)
    blob = cipher.encrypt(b"value", aad=secret_aad("repo:o/n", "A"))
    with pytest.raises(DecryptError):
        cipher.decrypt(blob, aad=secret_aad("repo:o/n", "B"))
    with pytest.raises(DecryptError):
        cipher.decrypt(blob, aad=secret_aad("org:o", "A"))
    with pytest.raises(DecryptError):
        Cipher(b"x" * 32).decrypt(blob, aad=secret_aad("repo:o/n", "A"))
    assert "k" * 8 not in repr(cipher)


def test_key_file_is_created_0600_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "secret.key"
    key = create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_key(path) == key
    with pytest.raises(ConfigError, match="already exists"):
        create_key(path)


def test_malformed_key_file_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    path.write_text("not base64 at all!\n")
    with pytest.raises(ConfigError, match="must hold the base64 of 32 random bytes"):
        read_key(path)
    with pytest.raises(ConfigError, match="cannot read"):
        read_key(tmp_path / "missing.key")


def test_check_value() -> None:
    cipher = Cipher(b"k" * 32)
    check = cipher.check_value()
    assert cipher.matches(check)
    assert not Cipher(b"x" * 32).matches(check)
