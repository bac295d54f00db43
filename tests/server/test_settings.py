"""Settings from flags and environment, with Drone's names as aliases; bad values are one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.errors import ConfigError
from conveyor.server.settings import load_settings, parse_lease, parse_user_create


def test_zero_config_defaults() -> None:
    s = load_settings(addr=None, data_dir=None, database_url=None, env={"HOME": "/home/u"})
    assert (s.host, s.port) == ("127.0.0.1", 8080)
    assert s.data_dir == Path("/home/u/.local/share/conveyor")
    assert s.database_url == "sqlite:////home/u/.local/share/conveyor/conveyor.sqlite"
    assert s.secret_key_file == s.data_dir / "secret.key"
    assert s.public_url == "http://127.0.0.1:8080"


def test_flags_win_and_drone_aliases_are_read() -> None:
    env = {
        "XDG_DATA_HOME": "/x",
        "DRONE_RPC_SECRET": "rpc-secret-value",
        "DRONE_USER_CREATE": "username:root,admin:true,token:" + "t" * 20,
        "CONVEYOR_DATABASE_URL": "postgresql://u:p@db/ci",
    }
    s = load_settings(addr="0.0.0.0:9000", data_dir="/d", database_url=None, env=env)
    assert (s.host, s.port, s.data_dir) == ("0.0.0.0", 9000, Path("/d"))
    assert s.database_url == "postgresql+psycopg://u:p@db/ci"
    assert s.rpc_secret == "rpc-secret-value"
    assert s.user_create is not None
    assert s.user_create.admin
    assert "rpc-secret-value" not in repr(s)
    assert "t" * 20 not in repr(s)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"addr": "localhost"}, "is not HOST:PORT"),
        ({"addr": "127.0.0.1:99999"}, "is not HOST:PORT"),
        ({"database_url": "mysql://x/y"}, "database 'mysql' is not supported"),
        ({"database_url": "::::"}, "is not a URL"),
    ],
)
def test_bad_settings_are_one_sentence(kwargs: dict[str, str], message: str) -> None:
    args: dict[str, str | None] = {"addr": None, "data_dir": "/d", "database_url": None}
    args.update(kwargs)
    with pytest.raises(ConfigError, match=message):
        load_settings(**args, env={})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("admin:true", "needs username"),
        ("username:x,color:red", "'color' is not one of"),
        ("username:x,admin:yes", "admin must be true or false"),
        ("username:x,token:short", "at least 16"),
    ],
)
def test_bad_user_create(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_user_create(text)


def test_the_lease_comes_from_the_flag_or_the_environment() -> None:
    base = {"addr": None, "data_dir": "/tmp/x", "database_url": None}
    assert load_settings(**base, env={"HOME": "/h"}).lease == 30.0
    assert load_settings(**base, env={"HOME": "/h", "CONVEYOR_LEASE": "2m"}).lease == 120.0
    assert load_settings(**base, lease="5s", env={"CONVEYOR_LEASE": "2m"}).lease == 5.0
    assert load_settings(**base, lease="45", env={}).lease == 45.0


@pytest.mark.parametrize("text", ["0s", "soon", "2h", "", "61m"])
def test_a_bad_lease_is_one_sentence(text: str) -> None:
    with pytest.raises(ConfigError, match=r"is not a duration from 1s to 60m \(e\.g\. 30s\)"):
        parse_lease(text)
