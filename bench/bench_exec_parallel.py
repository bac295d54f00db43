"""Benchmark: 8 independent steps run in parallel (`--parallel 8`) against the same 8 in series.

Each step runs `sleep 1` (a step that waits on I/O, like a test against a service); both
forms end with a `true` step. Interleaved
in the same run; reports both times and the speed-up. Results: docs/perf/exec.md.

    source /tmp/testenv/env && .venv/bin/python -m bench.bench_exec_parallel [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics

from bench.bench_exec_common import alternate, compile_yaml, describe, engine, pipeline, run_plan

STEPS = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--command", default="sleep 1", help="what each step runs")
    args = parser.parse_args()
    steps = [(f"step{i}", args.command) for i in range(STEPS)]
    parallel = compile_yaml(pipeline(steps, serial=False))
    serial = compile_yaml(pipeline([*steps, ("done", "true")], serial=True))
    backend = engine()
    fast, slow = alternate(
        args.repeat,
        lambda: run_plan(backend, parallel, parallel=STEPS),
        lambda: run_plan(backend, serial, parallel=STEPS),
    )
    print(describe(f"{STEPS} steps in parallel", fast))
    print(describe(f"{STEPS} steps in series", slow))
    print(f"speed-up: {statistics.median(slow) / statistics.median(fast):.2f}x")


if __name__ == "__main__":
    main()
