"""Benchmark: whole-process `conveyor exec` of 10 serial `true` steps vs a plain SDK script.

Both sides are separate processes started the same way in the same small project directory:
`conveyor exec` (the console script; defaults: image cache check on, with a ledger of its own
in a temporary state directory; output to /dev/null) and
`python bench/exec_sdk_script.py`, which makes the Docker calls of a run by hand. They run
alternately (A B A B...) after one warm-up each (which writes the .pyc files, as an install
would); each child's wall time and CPU time (user + sys from os.wait4) are taken.
Targets: median pairwise wall ratio <= 1.05 and CPU ratio <= 1.5. Results: docs/perf/exec.md.

    source /tmp/testenv/env && .venv/bin/python -m bench.bench_exec_overhead [--pairs 12]

`--old REV` measures the conveyor of an older commit (`python -m conveyor` with that commit's
`src/` on PYTHONPATH) against the same script, for before/after figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.bench_exec_common import IMAGE, export_src, pipeline

STEPS = 10
WALL_TARGET = 1.05
CPU_TARGET = 1.5
SCRIPT = Path(__file__).with_name("exec_sdk_script.py")


@dataclass(frozen=True, slots=True, kw_only=True)
class Sample:
    """One child process: wall and CPU seconds (user + sys, its children included), stderr."""

    wall: float
    cpu: float
    stderr: str


def measure(command: list[str], cwd: Path, extra_env: dict[str, str] | None = None) -> Sample:
    """Run `command` in `cwd` with output to /dev/null; fail loudly on a non-zero exit."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        child = subprocess.Popen(
            command,
            cwd=cwd,
            env={**child_env(), **(extra_env or {})},
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        text = errors.read().decode(errors="replace")
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited with {child.returncode}:\n{text}")
    return Sample(wall=wall, cpu=usage.ru_utime + usage.ru_stime, stderr=text)


def child_env() -> dict[str, str]:
    """This environment, with bytecode caching on: an installed package has its .pyc files
    (pip compiles them), so neither side should compile its imports from source at each start.
    """
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def conveyor_command() -> list[str]:
    """The installed console script next to this interpreter, else `python -m conveyor`."""
    script = Path(sys.executable).parent / "conveyor"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "conveyor"]


def load() -> str:
    """The 1, 5 and 15 minute load averages, as `uptime` shows them."""
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def describe(label: str, samples: list[Sample]) -> str:
    """Median, min and max of wall and CPU time."""
    walls = [s.wall for s in samples]
    cpus = [s.cpu for s in samples]
    return (
        f"{label}: wall median {statistics.median(walls):.3f} s "
        f"(min {min(walls):.3f}, max {max(walls):.3f}); "
        f"CPU median {statistics.median(cpus):.3f} s (min {min(cpus):.3f}, max {max(cpus):.3f})"
    )


def report(ours: list[Sample], base: list[Sample]) -> None:
    """Print both sides, the ratios and the verdicts."""
    print(describe("conveyor exec", ours))
    print(describe("SDK script   ", base))
    pairs = list(zip(ours, base, strict=True))
    wall = statistics.median(a.wall / b.wall for a, b in pairs)
    cpu = statistics.median(a.cpu / b.cpu for a, b in pairs)
    cpu_of_medians = statistics.median(a.cpu for a in ours) / statistics.median(b.cpu for b in base)
    print(f"wall ratio: median of {len(pairs)} pairs {wall:.3f} (target <= {WALL_TARGET})")
    print(
        f"CPU ratio: median of pairs {cpu:.2f}, of medians {cpu_of_medians:.2f} "
        f"(target <= {CPU_TARGET})"
    )
    met = wall <= WALL_TARGET and cpu <= CPU_TARGET
    print(f"targets: {'met' if met else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--pairs", type=int, default=12, help="measured pairs (at least 10)")
    parser.add_argument(
        "--old", metavar="REV", help="measure the conveyor of this git commit instead (its src/)"
    )
    args = parser.parse_args()
    if args.pairs < 10:
        parser.error("--pairs must be at least 10")
    conveyor = [*conveyor_command(), "exec"]
    if args.old:
        conveyor = [sys.executable, "-m", "conveyor", "exec"]
    script = [sys.executable, str(SCRIPT), "--steps", str(STEPS), "--image", IMAGE]
    os.environ.setdefault("NO_COLOR", "1")
    with tempfile.TemporaryDirectory(prefix="bench-exec-") as directory:
        project = Path(directory) / "project"
        project.mkdir()
        (project / ".drone.yml").write_text(pipeline([(f"step{i}", "true") for i in range(STEPS)]))
        own_state = {"CONVEYOR_STATE_DIR": str(Path(directory) / "state")}
        if args.old:
            print(f"conveyor: python -m conveyor of {args.old}")
            own_state["PYTHONPATH"] = str(export_src(args.old, Path(directory) / "old"))
        print(f"load before: {load()}")
        measure(conveyor, project, own_state)
        measure(script, project)
        ours: list[Sample] = []
        base: list[Sample] = []
        for _ in range(args.pairs):
            ours.append(measure(conveyor, project, own_state))
            base.append(measure(script, project))
        print(f"load after: {load()}")
    report(ours, base)
    noisy = [s.stderr.strip() for s in ours if s.stderr.strip()]
    print(f"conveyor runs that wrote to stderr: {len(noisy)} of {len(ours)}")
    for text in sorted(set(noisy)):
        print(f"  {text}")


if __name__ == "__main__":
    main()
