"""A `conveyor server` (SQLite) and `conveyor agent` processes in a temporary directory, with a
git repository `bench/app` added, for the agent benchmarks."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

CONVEYOR = [sys.executable, "-m", "conveyor.cli.main"]
SLUG = "bench/app"


@dataclass(frozen=True)
class Cluster:
    """The server's URL, an admin session, the environment of the processes and their logs."""

    base: str
    http: requests.Session
    env: dict[str, str]
    log: Path

    @property
    def builds(self) -> str:
        """The URL of bench/app's builds."""
        return f"{self.base}/api/repos/{SLUG}/builds"


def repository(root: Path, pipeline: str) -> Path:
    """A git repository whose .drone.yml is `pipeline`, on branch main."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    (root / ".drone.yml").write_text(pipeline)
    subprocess.run(["git", "-C", str(root), "add", ".drone.yml"], check=True)
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=b", "-c", "user.email=b@example.com",
         "commit", "-q", "-m", "bench"],
        check=True,
    )  # fmt: skip
    return root


@contextmanager
def cluster(root: Path, pipeline: str, *, agents: int = 1, capacity: int = 1) -> Iterator[Cluster]:
    """The server and `agents` agents (each with its own state directory) until the end."""
    port = _free_port()
    base, token = f"http://127.0.0.1:{port}", secrets.token_hex(16)
    env = {
        **os.environ,
        "CONVEYOR_STATE_DIR": str(root / "state"),
        "CONVEYOR_RPC_SECRET": secrets.token_hex(16),
        "CONVEYOR_USER_CREATE": f"username:bench,admin:true,token:{token}",
        "NO_COLOR": "1",
    }
    repo = repository(root / "app", pipeline)
    log = root / "processes.log"
    server = [*CONVEYOR, "server", "--addr", f"127.0.0.1:{port}", "--data-dir", str(root / "data")]
    with ExitStack() as stack:
        _process(stack, server, env, log)
        for n in range(agents):
            argv = [*CONVEYOR, "agent", "--server", base, "--name", f"bench-{n + 1}"]
            state = {**env, "CONVEYOR_STATE_DIR": str(root / f"state-{n + 1}")}
            _process(stack, [*argv, "--capacity", str(capacity)], state, log)
        http = requests.Session()
        http.trust_env = False
        http.headers["Authorization"] = f"Bearer {token}"
        _wait_up(http, base)
        made = http.post(f"{base}/api/repos/{SLUG}", json={"git_http_url": str(repo)}, timeout=60)
        made.raise_for_status()
        yield Cluster(base=base, http=http, env=env, log=log)


def _process(stack: ExitStack, argv: list[str], env: dict[str, str], log: Path) -> None:
    """Start `argv`; SIGTERM and wait for it when `stack` closes."""
    with log.open("ab") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)

    def stop() -> None:
        process.terminate()
        process.wait(60)

    stack.callback(stop)


def _wait_up(http: requests.Session, base: str) -> None:
    for _ in range(300):
        try:
            if http.get(f"{base}/healthz", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not start")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
