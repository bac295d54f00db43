"""Benchmark: `conveyor lint` of a generated 200-step pipeline, wall time, median of runs.

The file is realistic (image, commands, environment with from_secret, when, depends_on and a
merge key per step). Reports the whole command (fresh interpreter) against `python -c pass`,
and, in process, load + lint alone. Target: under 0.3 s for the command. Results:
docs/perf/lint.md.

    .venv/bin/python bench/bench_lint.py [--steps 200] [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_help import conveyor_command, median_wall
from conveyor.config.loader import load_file
from conveyor.lint import lint

TARGET_SECONDS = 0.3


def pipeline_text(steps: int) -> str:
    """A pipeline of `steps` steps; each depends on one or two earlier ones (a DAG).

    The anchors sit under a top-level `x-defaults` key, as many real files do: one W001.
    """
    parts = [
        "kind: pipeline\ntype: docker\nname: generated\n\n",
        "x-defaults: &defaults\n  pull: if-not-exists\n  environment: &env\n",
        "    GOFLAGS: -mod=readonly\n    CGO_ENABLED: 0\n\nsteps:\n",
    ]
    for i in range(steps):
        deps = "[" + ", ".join(f"s{d}" for d in sorted({i - 1, i // 2}) if 0 <= d < i) + "]"
        parts.append(
            f"  - name: s{i}\n"
            f"    <<: *defaults\n"
            f"    image: registry.example.com/team/golang:1.{i % 30}\n"
            f"    environment:\n"
            f"      <<: *env\n"
            f"      STEP: {i}\n"
            f"      TOKEN:\n        from_secret: token_{i % 7}\n"
            f"    commands:\n"
            f"      - go build ./pkg{i}/...\n"
            f"      - go test -run 'Test{i}' ./pkg{i}/...\n"
            f"    when:\n      branch: [main, 'release/*']\n      event:\n"
            f"        exclude: [pull_request]\n"
            f"    depends_on: {deps}\n"
        )
    return "".join(parts)


def in_process(path: Path, repeat: int) -> float:
    """Median seconds of load_file + lint, without interpreter start-up."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        lint(load_file(path), trusted=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="conveyor-bench-lint-") as tmp:
        path = Path(tmp) / ".drone.yml"
        path.write_text(pipeline_text(args.steps))
        found = lint(load_file(path), trusted=False)
        assert all(d.severity == "warning" for d in found), [d.headline() for d in found]
        lines = path.read_text().count("\n")
        baseline, _ = median_wall([sys.executable, "-c", "pass"], args.repeat)
        command, fastest = median_wall([*conveyor_command(), "lint", str(path)], args.repeat)
        inner = in_process(path, args.repeat)
    print(f"file: {args.steps} steps, {lines} lines, {len(found)} diagnostics")
    print(f"{'measure':<34} {'median s':>9}")
    print(f"{'python -c pass':<34} {baseline:9.3f}")
    print(f"{'conveyor lint FILE (whole command)':<34} {command:9.3f}   (min {fastest:.3f})")
    print(f"{'load_file + lint (in process)':<34} {inner:9.3f}")
    verdict = "ok" if command < TARGET_SECONDS else "OVER TARGET"
    print(f"target: whole command < {TARGET_SECONDS} s -> {verdict} ({args.repeat} runs each)")


if __name__ == "__main__":
    main()
