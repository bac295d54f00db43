"""What the agent benchmarks share: a `conveyor server` (SQLite) and agents as real processes,
a one-commit git repository added through the API, builds created and awaited, peak memory.

Every process runs `python -m conveyor.cli.main` of this tree, talks only to 127.0.0.1, and is
stopped when the `cluster` block ends. With BENCH_PROFILE=DIR, py-spy (`pip install py-spy`)
samples the server and the agents, all threads, into DIR/NAME-PID.txt (raw collapsed stacks);
BENCH_PROFILE_ARGS adds py-spy options (`--gil`: only the thread holding the GIL).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import requests

CONVEYOR = [sys.executable, "-m", "conveyor.cli.main"]
API = "/api/repos/bench/app/builds"


def uptime() -> float:
    """The host's seconds since boot (the clock a container's /proc/uptime shows too)."""
    return float(Path("/proc/uptime").read_text().split()[0])


def load() -> str:
    """The 1-minute load average, for the tables."""
    return Path("/proc/loadavg").read_text().split()[0]


def peak_mib(pid: int) -> float:
    """Peak resident memory (VmHWM) of a running process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"no VmHWM for process {pid}")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a running process has used so far, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_step(name: str, image: str, command: str, pull: str = "") -> str:
    """YAML of a pipeline of one step running `command` (with `pull:` when given)."""
    policy = f"  pull: {pull}\n" if pull else ""
    return (
        "kind: pipeline\ntype: docker\nname: default\nsteps:\n"
        f"- name: {name}\n  image: {image}\n{policy}  commands:\n  - {command}\n"
    )


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Cluster:
    """A running server and its agents, with an admin session."""

    base: str
    token: str
    env: dict[str, str] = field(repr=False)
    repo: Path
    server: subprocess.Popen[bytes]
    agents: tuple[subprocess.Popen[bytes], ...]
    http: requests.Session

    def create(self) -> int:
        """Start a build of branch main; its number."""
        answer = self.http.post(self.base + API, params={"branch": "main"}, timeout=60)
        answer.raise_for_status()
        number: int = answer.json()["number"]
        return number

    def wait(self, number: int, poll: float = 0.05) -> dict[str, Any]:
        """The build once it has ended (SystemExit unless it succeeded)."""
        while True:
            build: dict[str, Any] = self.http.get(f"{self.base}{API}/{number}", timeout=60).json()
            if build["status"] not in ("pending", "running"):
                break
            time.sleep(poll)
        if build["status"] != "success":
            raise SystemExit(f"build {number} ended {build['status']}")
        return build

    def log_text(self, number: int, step: int = 2) -> str:
        """The stored log of step `step` (the clone is 1) of stage 1, as text."""
        url = f"{self.base}{API}/{number}/logs/1/{step}"
        return self.http.get(url, params={"format": "text"}, timeout=600).text


@contextmanager
def cluster(root: Path, pipeline: str, *, agents: int = 1, capacity: int = 1) -> Iterator[Cluster]:
    """A server (SQLite under `root`) and `agents` agents of `capacity`, each with its own
    state directory, with the repository bench/app holding `pipeline`."""
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
    serve = [*CONVEYOR, "server", "--addr", f"127.0.0.1:{port}", "--data-dir", str(root / "data")]
    with (root / "processes.log").open("wb") as out:
        server = subprocess.Popen(serve, env=env, stdout=out, stderr=subprocess.STDOUT)
        workers = tuple(
            _agent(base, n, capacity, {**env, "CONVEYOR_STATE_DIR": str(root / f"state-{n}")}, out)
            for n in range(agents)
        )
    http = requests.Session()
    http.trust_env = False
    http.headers["Authorization"] = f"Bearer {token}"
    spies = _profilers({"server": server, **{f"agent{n}": a for n, a in enumerate(workers)}})
    try:
        _wait_up(base)
        added = http.post(
            f"{base}/api/repos/bench/app", json={"git_http_url": str(repo)}, timeout=60
        )
        added.raise_for_status()
        yield Cluster(
            base=base, token=token, env=env, repo=repo, server=server, agents=workers, http=http
        )
    finally:
        for process in (*workers, server):
            process.terminate()
        for process in (*workers, server):
            process.wait(60)
        for spy in spies:
            spy.wait(60)


def _agent(
    base: str, n: int, capacity: int, env: dict[str, str], out: IO[bytes]
) -> subprocess.Popen[bytes]:
    """Agent `bench-N` with its own state directory in `env`."""
    command = [
        *CONVEYOR,
        "agent",
        "--server",
        base,
        "--name",
        f"bench-{n}",
        "--capacity",
        str(capacity),
    ]
    return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def _profilers(processes: dict[str, subprocess.Popen[bytes]]) -> list[subprocess.Popen[bytes]]:
    """py-spy recorders attached to `processes` when BENCH_PROFILE names a directory."""
    where = os.environ.get("BENCH_PROFILE")
    if not where:
        return []
    spy = str(Path(sys.executable).parent / "py-spy")
    found = []
    for name, process in processes.items():
        output = f"{where}/{name}-{process.pid}.txt"
        command = [spy, "record", "--pid", str(process.pid), "--format", "raw", "--output", output]
        command += os.environ.get("BENCH_PROFILE_ARGS", "").split()
        found.append(
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )
    return found


def _wait_up(base: str) -> None:
    for _ in range(300):
        try:
            if requests.get(f"{base}/healthz", timeout=2).ok:
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
