"""The server's settings from flags and environment variables (Drone's names accepted as aliases).

Pure: the environment comes in as a mapping. Bad settings raise ConfigError with one sentence
(exit 2). Secret settings (RPC secret, the token of CONVEYOR_USER_CREATE) never enter a repr.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from conveyor.errors import ConfigError

DEFAULT_ADDR = "127.0.0.1:8080"
MAX_BODY = 1024 * 1024
"""Largest API request body (bytes); a larger one is refused with 413."""
MAX_HOOK_BODY = 5 * 1024 * 1024
"""Largest webhook body: forges send the commits of a push, which can be large."""
DEFAULT_LEASE = 30.0
"""Seconds a running stage stays an agent's without news from it (`--lease`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UserCreate:
    """CONVEYOR_USER_CREATE=username:NAME,admin:true,token:TOKEN,password:P: a user made or
    updated (the password signs in to the web pages)."""

    login: str
    admin: bool = False
    token: str | None = field(default=None, repr=False)
    machine: bool = False
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything `conveyor server` needs to start; built by `load_settings`."""

    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path
    database_url: str
    secret_key_file: Path
    public_url: str
    """Where forges reach this server (the webhook URL is `{public_url}/hook`)."""
    rpc_secret: str | None = field(default=None, repr=False)
    user_create: UserCreate | None = None
    max_body: int = MAX_BODY
    max_hook_body: int = MAX_HOOK_BODY
    lease: float = DEFAULT_LEASE
    """Seconds without news from an agent after which its running stage is `error`."""

    @property
    def git_cache_dir(self) -> Path:
        """Bare repositories fetched to read pipeline files."""
        return self.data_dir / "git"


def _env(env: Mapping[str, str], name: str) -> str | None:
    """CONVEYOR_NAME, else Drone's DRONE_NAME; empty values count as unset."""
    for prefix in ("CONVEYOR_", "DRONE_"):
        value = env.get(prefix + name)
        if value:
            return value
    return None


def default_data_dir(env: Mapping[str, str]) -> Path:
    """$XDG_DATA_HOME/conveyor, or ~/.local/share/conveyor."""
    base = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local/share")
    return Path(base) / "conveyor"


def load_settings(
    *,
    addr: str | None,
    data_dir: str | None,
    database_url: str | None,
    lease: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Settings from flags (which win) and the environment; ConfigError on a bad value."""
    env = os.environ if env is None else env
    host, port = parse_addr(addr or _env(env, "ADDR") or DEFAULT_ADDR)
    data = Path(data_dir or env.get("CONVEYOR_DATA_DIR") or default_data_dir(env)).expanduser()
    url = normalise_database_url(database_url or _database_url_from_env(env) or _sqlite_url(data))
    key_file = env.get("CONVEYOR_SECRET_KEY_FILE") or str(data / "secret.key")
    public = env.get("CONVEYOR_SERVER_URL") or _drone_public_url(env) or f"http://{host}:{port}"
    user_text = _env(env, "USER_CREATE")
    return Settings(
        host=host,
        port=port,
        data_dir=data,
        database_url=url,
        secret_key_file=Path(key_file).expanduser(),
        public_url=public.rstrip("/"),
        rpc_secret=_env(env, "RPC_SECRET"),
        user_create=parse_user_create(user_text) if user_text else None,
        lease=parse_lease(lease or env.get("CONVEYOR_LEASE") or f"{DEFAULT_LEASE:g}s"),
    )


def parse_lease(text: str) -> float:
    """`30s`, `2m` or `45` (seconds) to seconds; ConfigError unless from 1 s to 1 hour."""
    unit = {"s": 1, "m": 60}.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in {"s", "m"} else text
    try:
        seconds = float(number) * unit
    except ValueError:
        seconds = -1.0
    if not 1 <= seconds <= 3600:
        raise ConfigError(f"--lease {text!r} is not a duration from 1s to 60m (e.g. 30s)")
    return seconds


def parse_addr(text: str) -> tuple[str, int]:
    """`HOST:PORT` (or `:PORT`, meaning 127.0.0.1) to a host and a port number."""
    host, sep, port_text = text.rpartition(":")
    if not sep or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError(f"--addr {text!r} is not HOST:PORT with a port from 1 to 65535")
    return host.strip("[]") or "127.0.0.1", int(port_text)


def normalise_database_url(url: str) -> str:
    """A SQLAlchemy URL for SQLite or PostgreSQL (psycopg 3); ConfigError for anything else."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            "the database URL is not a URL; use sqlite:///PATH or postgresql://USER@HOST/DB"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.render_as_string(hide_password=False)
    if backend in {"postgresql", "postgres"}:
        fixed = parsed.set(drivername="postgresql+psycopg")
        return fixed.render_as_string(hide_password=False)
    raise ConfigError(
        f"database {backend!r} is not supported; use sqlite:///PATH or postgresql://USER@HOST/DB"
    )


def _sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'conveyor.sqlite'}"


def _database_url_from_env(env: Mapping[str, str]) -> str | None:
    """CONVEYOR_DATABASE_URL, or Drone's DRONE_DATABASE_DRIVER + DRONE_DATABASE_DATASOURCE."""
    url = env.get("CONVEYOR_DATABASE_URL")
    if url:
        return url
    driver = env.get("DRONE_DATABASE_DRIVER")
    source = env.get("DRONE_DATABASE_DATASOURCE")
    if not source:
        return None
    if driver == "sqlite3":
        return f"sqlite:///{Path(source).resolve()}"
    if driver == "postgres":
        return source
    raise ConfigError(f"DRONE_DATABASE_DRIVER={driver!r} is not supported; use sqlite3 or postgres")


def _drone_public_url(env: Mapping[str, str]) -> str | None:
    host = env.get("DRONE_SERVER_HOST")
    return f"{env.get('DRONE_SERVER_PROTO') or 'http'}://{host}" if host else None


def parse_user_create(text: str) -> UserCreate:
    """`username:NAME,admin:true,token:TOKEN` (Drone's format, plus `password:P`); ConfigError
    naming the bad part (never the token's or the password's value)."""
    values: dict[str, str] = {}
    for part in text.split(","):
        key, sep, value = part.partition(":")
        key = key.strip()
        if not sep or key not in {"username", "admin", "token", "machine", "password"}:
            shown = repr(key) if sep and key else "a part"  # never echo a value
            raise ConfigError(
                f"CONVEYOR_USER_CREATE: {shown} is not one of username:, admin:, token:, "
                "machine:, password:"
            )
        values[key] = value.strip()
    login = values.get("username", "")
    if not login:
        raise ConfigError("CONVEYOR_USER_CREATE needs username:NAME")
    for flag in ("admin", "machine"):
        if values.get(flag, "false").lower() not in {"true", "false"}:
            raise ConfigError(f"CONVEYOR_USER_CREATE: {flag} must be true or false")
    token = values.get("token") or None
    if token is not None and len(token) < 16:
        raise ConfigError("CONVEYOR_USER_CREATE: the token must have at least 16 characters")
    password = values.get("password") or None
    if password is not None and len(password) < 8:
        raise ConfigError("CONVEYOR_USER_CREATE: the password must have at least 8 characters")
    return UserCreate(
        login=login,
        admin=values.get("admin", "false").lower() == "true",
        machine=values.get("machine", "false").lower() == "true",
        token=token,
        password=password,
    )
