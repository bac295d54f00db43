"""Shared fixtures: the test environment of scripts/testenv (Docker engine + local registries)."""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class LocalEnv:
    """What scripts/testenv/up.sh started: registries on 127.0.0.1 and local test images."""

    registry: str
    auth_registry: str
    token_registry: str
    acl_registry: str
    """Basic auth with per-user rules: `other_user` may read only `other/*` repositories."""
    user: str
    password: str
    other_user: str
    other_password: str
    image: str
    image_marker: str
    image_remote: str
    docker_auth_config: str
    state_dir: Path

    def registry_log(self, name: str) -> Path:
        """The access log of registry `open`, `auth`, `token` or `acl`."""
        return self.state_dir / "logs" / f"registry-{name}.log"


def _read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.startswith("export "):
            key, _, raw = line[len("export ") :].partition("=")
            parts = shlex.split(raw)
            values[key] = parts[0] if parts else ""
    return values


@pytest.fixture(scope="session")
def testenv() -> LocalEnv:
    """The running test environment; fails (never skips) when it is not up."""
    state = Path(os.environ.get("TESTENV_STATE_DIR", "/tmp/testenv"))
    env_file = state / "env"
    if not env_file.is_file():
        pytest.fail(f"{env_file} is missing: run `bash scripts/testenv/up.sh` first")
    env = _read_env_file(env_file)
    os.environ.setdefault("DOCKER_HOST", env["DOCKER_HOST"])
    return LocalEnv(
        registry=env["TEST_REGISTRY"],
        auth_registry=env["TEST_AUTH_REGISTRY"],
        token_registry=env["TEST_TOKEN_REGISTRY"],
        acl_registry=env["TEST_ACL_REGISTRY"],
        user=env["TEST_REGISTRY_USER"],
        password=env["TEST_REGISTRY_PASSWORD"],
        other_user=env["TEST_OTHER_USER"],
        other_password=env["TEST_OTHER_PASSWORD"],
        image=env["TEST_IMAGE"],
        image_marker=env["TEST_IMAGE_MARKER"],
        image_remote=env["TEST_IMAGE_REMOTE"],
        docker_auth_config=env["TEST_DOCKER_AUTH_CONFIG"],
        state_dir=state,
    )


PUBLIC_REGISTRY_SIGNS = ("registry-1.docker.io", "index.docker.io", "gcr.io/v2", "quay.io/v2")


@pytest.fixture(scope="session", autouse=True)
def no_public_registry_is_contacted() -> Iterator[None]:
    """The network rule, enforced: the engine that scripts/testenv started logs every pull it
    tries; after the session, no line of it may name a public registry."""
    state = Path(os.environ.get("TESTENV_STATE_DIR", "/tmp/testenv"))
    log = state / "logs" / "dockerd.log"
    start = log.stat().st_size if log.is_file() else None
    yield
    if start is None or not log.is_file():
        return  # an engine that testenv did not start: its log is not ours to read
    with log.open("rb") as handle:
        handle.seek(start)
        new = handle.read().decode("utf-8", "replace")
    offending = [line for line in new.splitlines() if any(s in line for s in PUBLIC_REGISTRY_SIGNS)]
    assert not offending, "a test made the engine contact a public registry:\n" + "\n".join(
        offending[:5]
    )
