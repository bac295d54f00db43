"""Benchmark: queue to first container start through a server and an agent, vs `conveyor exec`.

A `conveyor server` (SQLite, temporary data directory) and one `conveyor agent` run as
processes. For each build the script notes the host's /proc/uptime and creates a build whose
one step prints /proc/uptime first (the kernel's clock is the same inside a container), so the
difference is the time from the API call to the first command running: queue, long-poll claim,
git checkout, run setup, container start. The baseline is `conveyor exec` of the same pipeline
(clone aside) in the same run: from starting the process to its first command running.
Target: p50 overhead < 0.3 s. Results: docs/perf/agent.md.

    source /tmp/testenv/env && .venv/bin/python -m bench.bench_agent_start [--builds 100]
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from bench.bench_exec_common import IMAGE

PIPELINE = f"""\
kind: pipeline
type: docker
name: default
steps:
- name: start
  image: {IMAGE}
  commands: [cut -d' ' -f1 /proc/uptime]
"""
CONVEYOR = [sys.executable, "-m", "conveyor.cli.main"]


def uptime() -> float:
    """The host's seconds since boot (the clock a container's /proc/uptime shows too)."""
    return float(Path("/proc/uptime").read_text().split()[0])


def first_number(text: str) -> float:
    """The uptime the step printed: the first line ending in a decimal number (exec's console
    puts the step's name before it)."""
    for line in text.splitlines():
        last = line.split()[-1] if line.split() else ""
        if "." not in last:
            continue
        try:
            return float(last)
        except ValueError:
            continue
    raise SystemExit(f"no uptime in the output:\n{text}")


def exec_starts(workdir: Path, runs: int, env: dict[str, str]) -> list[float]:
    """Seconds from starting `conveyor exec` to its first command running, `runs` times."""
    found = []
    for _ in range(runs):
        began = uptime()
        done = subprocess.run(
            [*CONVEYOR, "exec"], cwd=workdir, env=env, capture_output=True, text=True, check=True
        )
        found.append(first_number(done.stdout) - began)
    return found


def agent_starts(base: str, token: str, builds: int) -> list[float]:
    """Seconds from POST build to the first command running on the agent, `builds` times."""
    http = requests.Session()
    http.trust_env = False
    http.headers["Authorization"] = f"Bearer {token}"
    api = f"{base}/api/repos/bench/app/builds"
    found = []
    for _ in range(builds):
        began = uptime()
        number = http.post(api, params={"branch": "main"}, timeout=60).json()["number"]
        while True:
            build = http.get(f"{api}/{number}", timeout=60).json()
            if build["status"] not in ("pending", "running"):
                break
            time.sleep(0.05)
        if build["status"] != "success":
            raise SystemExit(f"build {number} ended {build['status']}")
        log = http.get(f"{api}/{number}/logs/1/2", params={"format": "text"}, timeout=60).text
        found.append(first_number(log) - began)
    return found


def repository(root: Path) -> Path:
    """A git repository whose .drone.yml is PIPELINE, on branch main."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    (root / ".drone.yml").write_text(PIPELINE)
    subprocess.run(["git", "-C", str(root), "add", ".drone.yml"], check=True)
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=b", "-c", "user.email=b@example.com",
         "commit", "-q", "-m", "bench"],
        check=True,
    )  # fmt: skip
    return root


def wait_up(base: str) -> None:
    for _ in range(300):
        try:
            if requests.get(f"{base}/healthz", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not start")


def describe(label: str, values: list[float]) -> str:
    cuts = statistics.quantiles(values, n=20)
    return f"{label:<22} p50 {statistics.median(values):6.3f} s   p95 {cuts[18]:6.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--builds", type=int, default=100)
    count = parser.parse_args().builds
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        port = _free_port()
        base, token = f"http://127.0.0.1:{port}", secrets.token_hex(16)
        env = {
            **os.environ,
            "CONVEYOR_STATE_DIR": str(root / "state"),
            "CONVEYOR_RPC_SECRET": secrets.token_hex(16),
            "CONVEYOR_USER_CREATE": f"username:bench,admin:true,token:{token}",
            "NO_COLOR": "1",
        }
        repo = repository(root / "app")
        with (root / "server.log").open("wb") as out:
            server = subprocess.Popen(
                [*CONVEYOR, "server", "--addr", f"127.0.0.1:{port}", "--data-dir",
                 str(root / "data")],
                env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
            agent = subprocess.Popen(
                [*CONVEYOR, "agent", "--server", base, "--name", "bench", "--capacity", "1"],
                env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            wait_up(base)
            requests.post(
                f"{base}/api/repos/bench/app",
                json={"git_http_url": str(repo)},
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            ).raise_for_status()
            agent_starts(base, token, 2)  # warm-up: image cache ledger, .pyc files
            exec_starts(repo, 2, env)
            through_agent = agent_starts(base, token, count)
            local = exec_starts(repo, count, env)
        finally:
            agent.terminate()
            server.terminate()
            agent.wait(60)
            server.wait(60)
    print(f"queue to first container start, {count} builds, one agent of capacity 1")
    print(describe("server + agent", through_agent))
    print(describe("conveyor exec", local))
    overhead = statistics.median(through_agent) - statistics.median(local)
    print(f"p50 overhead {overhead:.3f} s (target < 0.3 s)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


if __name__ == "__main__":
    main()
