"""A state directory, ledger or key that another user could change is refused, with the
path and the fix; a private one is used as before."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conveyor import errors
from conveyor.cache.fingerprint import KEY_FILE
from conveyor.cache.guard import VerifyingGuard, make_guard
from conveyor.cache.ledger import LEDGER_FILE


def test_a_private_state_directory_is_created_and_used(tmp_path: Path) -> None:
    state = tmp_path / "state"
    assert isinstance(make_guard("verify", state), VerifyingGuard)
    assert (state.stat().st_mode & 0o777) == 0o700
    assert isinstance(make_guard("verify", state), VerifyingGuard)  # and used again


def test_a_world_writable_state_directory_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    state.chmod(0o777)
    with pytest.raises(errors.ConfigError) as caught:
        make_guard("verify", state)
    assert caught.value.message == (
        f"The state directory {state} may be written by other users (mode 0777), who could "
        "make Conveyor run private images for pipelines without credentials: "
        f"run `chmod 700 {state}`."
    )
    assert caught.value.exit_code == 2
    assert not (state / LEDGER_FILE).exists(), "nothing is written into it"


@pytest.mark.parametrize("name", [LEDGER_FILE, LEDGER_FILE + "-wal", KEY_FILE])
def test_a_group_writable_ledger_or_key_is_refused(tmp_path: Path, name: str) -> None:
    make_guard("verify", tmp_path)
    target = tmp_path / name
    target.touch()
    target.chmod(0o660)
    with pytest.raises(errors.ConfigError, match=f"run `chmod 600 {target}`"):
        make_guard("verify", tmp_path)


def test_mode_off_keeps_no_ledger_and_checks_nothing(tmp_path: Path) -> None:
    tmp_path.chmod(0o777)
    make_guard("off", tmp_path)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_state_directory_of_another_user_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    os.chown(state, 65534, 65534)
    with pytest.raises(errors.ConfigError, match="belongs to another user \\(uid 65534\\)"):
        make_guard("verify", state)
