"""Benchmark: overhead of `conveyor exec` machinery for 10 serial `true` steps.

Conveyor (executor + Docker backend: network, workspace volume, workspace copy of an empty
directory, per-step image decision, attach, start, wait, remove, cleanup) against the same ten
containers created, started, waited for and removed directly through the Docker SDK on a user
network created and removed by the baseline too. Interleaved in the same run. Target ratio
<= 1.10. Results: docs/perf/exec.md.

    source /tmp/testenv/env && .venv/bin/python -m bench.bench_exec_overhead [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from bench.bench_exec_common import (
    IMAGE,
    alternate,
    client,
    compile_yaml,
    describe,
    engine,
    pipeline,
    run_plan,
)

STEPS = 10
TARGET = 1.10


def sdk_baseline() -> float:
    """Ten `true` containers on a fresh user network through the SDK; seconds."""
    api = client().api
    start = time.perf_counter()
    name = f"bench-exec-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    network = api.create_network(name, driver="bridge")
    try:
        for index in range(STEPS):
            host = api.create_host_config(network_mode=name)
            created = api.create_container(
                IMAGE, command=["true"], host_config=host, name=f"{name}-{index}"
            )
            api.start(created["Id"])
            api.wait(created["Id"])
            api.remove_container(created["Id"], force=True)
    finally:
        api.remove_network(network["Id"])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    plan = compile_yaml(pipeline([(f"step{i}", "true") for i in range(STEPS)]))
    backend = engine()
    with tempfile.TemporaryDirectory() as empty:
        source = Path(empty)
        ours, base = alternate(
            args.repeat, lambda: run_plan(backend, plan, source=source), sdk_baseline
        )
    print(describe("conveyor executor, 10 serial steps", ours))
    print(describe("SDK baseline, 10 containers", base))
    ratios = [a / b for a, b in zip(ours, base, strict=True)]
    ratio = statistics.median(ours) / statistics.median(base)
    print(f"ratio of medians: {ratio:.3f} (pairwise median {statistics.median(ratios):.3f})")
    print(f"target <= {TARGET}: {'met' if ratio <= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
