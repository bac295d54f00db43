"""Benchmark: peak RSS of a `conveyor exec` process running a 20-step pipeline.

Runs the real command in a child process (temporary project directory, output to a pipe) and
reads the child's peak resident set size from getrusage; `conveyor --help` in the same way for
reference. Results: docs/perf/exec.md.

    source /tmp/testenv/env && .venv/bin/python -m bench.bench_exec_memory [--steps 20]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.bench_exec_common import pipeline

CHILD = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def peak_rss(command: list[str], cwd: Path) -> tuple[int, int]:
    """(exit code, peak RSS in KiB) of `command`, measured in a fresh wrapper process."""
    result = subprocess.run(
        [sys.executable, "-c", CHILD, *command], cwd=cwd, capture_output=True, text=True, check=True
    )
    code, kib = result.stdout.split()
    return int(code), int(kib)


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    conveyor = [sys.executable, "-m", "conveyor"]
    with tempfile.TemporaryDirectory() as directory:
        project = Path(directory)
        steps = [(f"step{i}", f"echo step {i} of {args.steps}") for i in range(args.steps)]
        (project / ".drone.yml").write_text(pipeline(steps))
        os.environ.setdefault("NO_COLOR", "1")
        _, help_kib = peak_rss([*conveyor, "--help"], project)
        code, exec_kib = peak_rss([*conveyor, "exec", "--image-cache-mode", "off"], project)
    if code != 0:
        raise SystemExit(f"conveyor exec failed with exit code {code}")
    print(f"conveyor --help: peak RSS {help_kib / 1024:.1f} MiB")
    print(f"conveyor exec, {args.steps} serial steps: peak RSS {exec_kib / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
