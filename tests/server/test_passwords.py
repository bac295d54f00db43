"""Web passwords: argon2id hashes, the rules for a new password, CONVEYOR_USER_CREATE's
`password:` key (never in a repr or an error), and `conveyor server passwd`."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conveyor.cli.server_passwd import read_new_password
from conveyor.errors import ConfigError, UsageError
from conveyor.server.passwords import (
    PasswordRuleError,
    check_new_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from conveyor.server.settings import parse_user_create
from conveyor.server.startup import open_state
from conveyor.server.users import find_user

from .conftest import make_settings


def test_hash_is_argon2id_and_verifies_only_the_password() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert verify_password(stored, "correct horse")
    assert not verify_password(stored, "correct horsE")
    assert not verify_password(None, "correct horse")
    assert not verify_password("not a hash", "correct horse")
    assert not needs_rehash(stored)
    assert needs_rehash("not a hash")


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "at least 8"), ("x" * 1001, "at most 1000"), ("nul\x00nul\x00", "NUL")],
)
def test_new_password_rules(password: str, message: str) -> None:
    with pytest.raises(PasswordRuleError, match=message) as caught:
        check_new_password(password)
    assert password not in str(caught.value)


def test_user_create_password_key() -> None:
    wanted = parse_user_create("username:ann,admin:true,password:s3cret-pass-word")
    assert wanted.password == "s3cret-pass-word"
    assert "s3cret" not in repr(wanted)
    with pytest.raises(ConfigError, match="at least 8") as caught:
        parse_user_create("username:ann,password:tiny")
    assert "tiny" not in str(caught.value)
    with pytest.raises(ConfigError, match="a part is not one of") as odd:
        parse_user_create("username:ann,hunter2-hunter2")
    assert "hunter2" not in str(odd.value)


def test_user_create_sets_the_password_at_start(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        f"sqlite:///{tmp_path / 'db.sqlite'}",
        user_create=parse_user_create("username:ann,password:first-password"),
    )
    state = open_state(settings)
    with state.sessions.begin() as session:
        user = find_user(session, "ann")
        assert user is not None
        assert verify_password(user.password_hash, "first-password")
    state.engine.dispose()


def test_read_new_password_from_stdin_or_a_terminal() -> None:
    assert read_new_password(io.StringIO("pass word 1\nignored\n")) == "pass word 1"
    with pytest.raises(UsageError, match="no password on standard input"):
        read_new_password(io.StringIO(""))

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    answers = iter(["typed-password", "typed-password"])
    assert read_new_password(Tty(), ask=lambda _prompt: next(answers)) == "typed-password"
    differ = iter(["typed-password", "typed-passwort"])
    with pytest.raises(UsageError, match="differ"):
        read_new_password(Tty(), ask=lambda _prompt: next(differ))


def _passwd(login: str, data_dir: Path, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "conveyor.cli.main",
            "server",
            "passwd",
            login,
            "--data-dir",
            str(data_dir),
        ],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.endswith("USER_CREATE")},
    )


def test_server_passwd_command(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = make_settings(data, f"sqlite:///{data / 'conveyor.sqlite'}")
    open_state(settings).engine.dispose()
    done = _passwd("admin", data, "a-new-password\n")
    assert (done.returncode, done.stdout) == (
        0,
        "changed the password of admin; its browsers are signed out\n",
    )
    state = open_state(settings)
    with state.sessions.begin() as session:
        admin = find_user(session, "admin")
        assert admin is not None
        assert verify_password(admin.password_hash, "a-new-password")
    state.engine.dispose()
    unknown = _passwd("nobody", data, "a-new-password\n")
    assert unknown.returncode == 2
    assert "there is no user 'nobody'" in unknown.stderr
    short = _passwd("admin", data, "tiny\n")
    assert short.returncode == 2
    assert "at least 8 characters" in short.stderr
    assert "tiny" not in short.stderr
    assert "Traceback" not in unknown.stderr + short.stderr
