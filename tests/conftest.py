"""Shared fixtures: the test environment of scripts/testenv (Docker engine + local registries)."""

from __future__ import annotations

import contextlib
import os
import shlex
import time
import urllib.error
import urllib.request
import uuid
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
    token_realm: str
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

    def settle_logs(self, timeout: float = 10.0) -> None:
        """Return once every registry and the token service has logged what it answered so far.

        A registry writes its access line just after its response. This asks each server for a
        unique, unrelated path and waits (bounded) until that request's line is in its log: the
        lines of every earlier request are then there too. Only 127.0.0.1 is contacted.
        """
        marker = f"conveyor-test-settle-{uuid.uuid4().hex}"
        hosts = {
            "open": self.registry,
            "auth": self.auth_registry,
            "token": self.token_registry,
            "acl": self.acl_registry,
        }
        targets = {
            self.registry_log(name): f"http://{host}/v2/{marker}/tags/list"
            for name, host in hosts.items()
        }
        targets[self.state_dir / "logs" / "token-server.log"] = (
            f"{self.token_realm}?scope=repository:{marker}:pull"
        )
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        offsets = {log: log.stat().st_size for log in targets}
        for url in targets.values():
            assert url.startswith("http://127.0.0.1:"), url
            with contextlib.suppress(urllib.error.HTTPError):  # 401/404: answered, so logged
                direct.open(url, timeout=timeout).close()
        deadline = time.monotonic() + timeout
        waiting = dict(offsets)
        while waiting:
            for log, offset in list(waiting.items()):
                with log.open("rb") as handle:
                    handle.seek(offset)
                    if marker.encode() in handle.read():
                        del waiting[log]
            if waiting and time.monotonic() > deadline:
                raise AssertionError(f"{sorted(map(str, waiting))} never logged {marker}")
            if waiting:
                time.sleep(0.01)


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
        token_realm=env["TEST_TOKEN_REALM"],
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


@pytest.fixture(scope="session", autouse=True)
def no_user_state_is_touched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A `conveyor exec` that a test forgot to isolate keeps its image ledger in a session
    directory, never in the user's state directory (tests that need their own set their own),
    and never asks a registry plugin that the developer's shell happens to name."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CONVEYOR_STATE_DIR", str(tmp_path_factory.mktemp("conveyor-state")))
        patch.delenv("XDG_STATE_HOME", raising=False)
        for name in ("ENDPOINT", "SECRET", "TOKEN"):
            patch.delenv(f"DRONE_REGISTRY_PLUGIN_{name}", raising=False)
        yield


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
