"""Benchmark: throughput of 200 builds of one trivial step on 2 agents of capacity 4, against
the same 200 runs of `conveyor exec` spread over 8 processes at a time.

The agent side posts every build through the API at once and stops the clock when the last has
ended (each must succeed): API, queue, claims, checkouts, runs and reports are all inside. The
baseline runs `conveyor exec` of the same pipeline in the same checkout, 8 processes at a time,
until 200 have run. Each repetition measures both, in turn. Target: the agents reach at least
0.8 of the baseline's builds per second. Results: docs/perf/agent.md.

    source /tmp/testenv/env && .venv/bin/python -m bench.bench_agent_throughput [--builds 200]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.agent_support import CONVEYOR, Cluster, cluster, load, one_step
from bench.bench_exec_common import IMAGE

PIPELINE = one_step("trivial", IMAGE, "echo done")
AGENTS = 2
CAPACITY = 4
PROCESSES = 8
TARGET = 0.8


def through_agents(bench: Cluster, builds: int) -> tuple[float, Counter[str]]:
    """Seconds from the first POST to the end of the last of `builds` builds; stages per agent."""
    start = time.perf_counter()
    numbers = [bench.create() for _ in range(builds)]
    ended = [bench.wait(number, poll=0.2) for number in numbers]
    took = time.perf_counter() - start
    return took, Counter(build["stages"][0]["machine"] for build in ended)


def through_exec(workdir: Path, runs: int, env: dict[str, str]) -> float:
    """Seconds to run `conveyor exec` `runs` times, PROCESSES at once."""

    def one(_: int) -> None:
        subprocess.run([*CONVEYOR, "exec"], cwd=workdir, env=env, capture_output=True, check=True)

    start = time.perf_counter()
    with ThreadPoolExecutor(PROCESSES) as pool:
        list(pool.map(one, range(runs)))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--builds", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(f"{args.builds} builds of one trivial step: {AGENTS} agents of capacity {CAPACITY} "
          f"vs conveyor exec, {PROCESSES} processes at a time")  # fmt: skip
    with (
        tempfile.TemporaryDirectory() as temp,
        cluster(Path(temp), PIPELINE, agents=AGENTS, capacity=CAPACITY) as bench,
    ):
        through_agents(bench, 2 * AGENTS * CAPACITY)  # warm-up: image ledgers, .pyc files
        through_exec(bench.repo, PROCESSES, bench.env)
        for run in range(1, args.repeat + 1):
            before = load()
            agents, taken = through_agents(bench, args.builds)
            local = through_exec(bench.repo, args.builds, bench.env)
            ratio = local / agents
            print(
                f"run {run}: agents {agents:.1f} s ({args.builds / agents:.2f} builds/s, "
                f"per agent {dict(sorted(taken.items()))}), exec {local:.1f} s "
                f"({args.builds / local:.2f} runs/s), ratio {ratio:.2f} (target >= {TARGET}); "
                f"load {before} before, {load()} after"
            )


if __name__ == "__main__":
    main()
