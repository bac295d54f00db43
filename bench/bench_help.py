"""Benchmark: wall time of `conveyor --help` against `python -c pass`, median of several runs.

Both commands start a fresh interpreter, so the difference is what Conveyor's imports cost.
Target: under 0.15 s for `conveyor --help`. Results: docs/perf/lint.md.

    .venv/bin/python bench/bench_help.py [--repeat 21]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 0.15


def conveyor_command() -> list[str]:
    """The installed console script next to this interpreter, else `python -m conveyor`."""
    script = Path(sys.executable).parent / "conveyor"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "conveyor"]


def median_wall(command: list[str], repeat: int) -> tuple[float, float]:
    """(median, minimum) wall time in seconds of `command`, after one warm-up run."""
    subprocess.run(command, capture_output=True, check=False)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    rows = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("conveyor --help", [*conveyor_command(), "--help"]),
        ("conveyor lint --help", [*conveyor_command(), "lint", "--help"]),
    ]
    results = {name: median_wall(command, args.repeat) for name, command in rows}
    baseline = results["python -c pass"][0]
    print(f"{'command':<22} {'median s':>9} {'min s':>7} {'vs baseline':>12}")
    for name, (median, minimum) in results.items():
        print(f"{name:<22} {median:9.3f} {minimum:7.3f} {median / baseline:11.1f}x")
    help_median = results["conveyor --help"][0]
    verdict = "ok" if help_median < TARGET_SECONDS else "OVER TARGET"
    print(f"target: conveyor --help < {TARGET_SECONDS} s -> {verdict} ({args.repeat} runs each)")


if __name__ == "__main__":
    main()
