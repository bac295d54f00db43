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
import statistics
import subprocess
import tempfile
from pathlib import Path

from bench.agent_support import CONVEYOR, Cluster, cluster, load, one_step, uptime
from bench.bench_exec_common import IMAGE

PIPELINE = one_step("start", IMAGE, "cut -d' ' -f1 /proc/uptime")


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


def agent_starts(bench: Cluster, builds: int) -> list[float]:
    """Seconds from POST build to the first command running on the agent, `builds` times."""
    found = []
    for _ in range(builds):
        began = uptime()
        number = bench.create()
        bench.wait(number)
        found.append(first_number(bench.log_text(number)) - began)
    return found


def describe(label: str, values: list[float]) -> str:
    cuts = statistics.quantiles(values, n=20)
    return f"{label:<22} p50 {statistics.median(values):6.3f} s   p95 {cuts[18]:6.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--builds", type=int, default=100)
    count = parser.parse_args().builds
    before = load()
    with tempfile.TemporaryDirectory() as temp, cluster(Path(temp), PIPELINE) as bench:
        agent_starts(bench, 2)  # warm-up: image cache ledger, .pyc files
        exec_starts(bench.repo, 2, bench.env)
        through_agent = agent_starts(bench, count)
        local = exec_starts(bench.repo, count, bench.env)
    print(f"queue to first container start, {count} builds, one agent of capacity 1")
    print(describe("server + agent", through_agent))
    print(describe("conveyor exec", local))
    overhead = statistics.median(through_agent) - statistics.median(local)
    print(f"p50 overhead {overhead:.3f} s (target < 0.3 s); load {before} before, {load()} after")


if __name__ == "__main__":
    main()
