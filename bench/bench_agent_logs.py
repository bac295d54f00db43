"""Benchmark: 50 MB of output from one step through an agent to the stored log and to a live
SSE reader, against `conveyor exec` printing the same output to a pipe.

Each repetition starts a fresh server (SQLite) and agent, opens the step's SSE stream right
after creating the build (reconnecting with Last-Event-ID when the server drops it, as a
browser does) and stops two clocks: when the build has ended (every line is stored: the agent
sends its last lines before `done`) and when the reader got `eof` after the last line. Peak
memory is VmHWM of the agent and server processes; exec's is its ru_maxrss. CPU seconds (the
agent's and the server's for the timed build, exec's whole run) tell the cost apart from the
machine's load. Target: at least
0.5 of exec's throughput. Results: docs/perf/agent.md.

    source /tmp/testenv/env && .venv/bin/python -m bench.bench_agent_logs [--mb 50] [--repeat 2] \
        [--flush-lines]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.agent_support import (
    CONVEYOR,
    Cluster,
    cluster,
    cpu_seconds,
    load,
    one_step,
    peak_mib,
)
from bench.bench_exec_common import IMAGE
from bench.bench_exec_logs import PLAIN_LINE

TARGET = 0.5


def pipeline(megabytes: int, flush_lines: bool = False) -> str:
    """One step printing `megabytes` of lines; with `flush_lines`, one write per line (as a
    program that flushes every line), so the agent gets a frame per line."""
    command = f"yes '{PLAIN_LINE}' | head -c {megabytes * 1_000_000}"
    if flush_lines:
        command += " | awk '{ print; fflush() }'"
    return one_step("print", IMAGE, command, "if-not-exists")


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentRun:
    """One build through the agent: seconds to stored and to live `eof`, peaks in MiB."""

    stored: float
    live: float
    reconnects: int
    agent_mib: float
    server_mib: float
    cpu: float
    """CPU seconds the agent and the server used for this build."""


class LiveReader(threading.Thread):
    """Reads a step's SSE stream to `eof`, resuming with Last-Event-ID when it is cut."""

    def __init__(self, bench: Cluster, number: int, start: float) -> None:
        super().__init__(daemon=True)
        self._url = f"{bench.base}/api/stream/bench/app/{number}/1/2"
        self._headers = {"Authorization": f"Bearer {bench.token}"}
        self._start = start
        self.last = -1
        self.reconnects = -1
        self.took = 0.0

    def run(self) -> None:
        http = requests.Session()
        http.trust_env = False
        while not self._once(http):
            pass
        self.took = time.perf_counter() - self._start

    def _once(self, http: requests.Session) -> bool:
        """One connection; whether it ended with `eof`."""
        self.reconnects += 1
        headers = dict(self._headers)
        if self.last >= 0:
            headers["Last-Event-ID"] = str(self.last)
        tail = b""
        with http.get(self._url, headers=headers, stream=True, timeout=600) as response:
            for chunk in response.iter_content(1 << 16):
                tail = tail[-64:] + chunk
                at = tail.rfind(b"\nid: ")
                if at >= 0 and tail.find(b"\n", at + 5) > 0:
                    self.last = int(tail[at + 5 : tail.find(b"\n", at + 5)])
                if b"event: eof" in tail:
                    return True
        return False


def through_agent(root: Path, megabytes: int, flush_lines: bool) -> AgentRun:
    with cluster(root, pipeline(megabytes, flush_lines)) as bench:
        bench.wait(bench.create())  # warm-up: image ledger, .pyc files
        pids = (bench.agents[0].pid, bench.server.pid)
        cpu_before = sum(cpu_seconds(pid) for pid in pids)
        start = time.perf_counter()
        number = bench.create()
        reader = LiveReader(bench, number, start)
        reader.start()
        bench.wait(number, poll=0.02)
        stored = time.perf_counter() - start
        reader.join(600)
        cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
        agent_mib, server_mib = peak_mib(bench.agents[0].pid), peak_mib(bench.server.pid)
        size = len(bench.log_text(number).encode())
    if size < megabytes * 1_000_000 or reader.last < 0:
        raise SystemExit(f"the stored log has {size} bytes; the reader saw line {reader.last}")
    return AgentRun(
        stored=stored,
        live=reader.took,
        reconnects=reader.reconnects,
        agent_mib=agent_mib,
        server_mib=server_mib,
        cpu=cpu,
    )


def through_exec(workdir: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """Seconds of a whole `conveyor exec` whose output a pipe drains; its peak RSS in MiB and
    its CPU seconds."""
    start = time.perf_counter()
    process = subprocess.Popen([*CONVEYOR, "exec"], cwd=workdir, env=env, stdout=subprocess.PIPE)
    assert process.stdout is not None
    while process.stdout.read(1 << 16):
        pass
    _, status, usage = os.wait4(process.pid, 0)
    took = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"conveyor exec ended {process.returncode}")
    return took, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--flush-lines", action="store_true", help="one write per line (a frame per line)"
    )
    args = parser.parse_args()
    mb = args.mb
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        for run in range(1, args.repeat + 1):
            before = load()
            (root / f"run{run}").mkdir()
            ours = through_agent(root / f"run{run}", mb, args.flush_lines)
            local, local_mib, local_cpu = through_exec(
                root / f"run{run}" / "app", {**os.environ, "NO_COLOR": "1"}
            )
            print(
                f"run {run}: stored {mb / ours.stored:.1f} MB/s ({ours.stored:.1f} s), live reader "
                f"{mb / ours.live:.1f} MB/s ({ours.live:.1f} s, {ours.reconnects} reconnects), "
                f"exec {mb / local:.1f} MB/s ({local:.1f} s); ratio stored "
                f"{local / ours.stored:.2f}, live {local / ours.live:.2f} (target >= {TARGET}); "
                f"peak MiB agent {ours.agent_mib:.0f}, server {ours.server_mib:.0f}, "
                f"exec {local_mib:.0f}; CPU s agent+server {ours.cpu:.1f}, exec {local_cpu:.1f}; "
                f"load {before} before, {load()} after"
            )


if __name__ == "__main__":
    main()
