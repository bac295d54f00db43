"""Benchmark: CPU and wall time of `conveyor exec` at an older commit vs the working tree.

Measures one change: `git archive` puts the older commit's `src/` in a temporary directory,
and the same 10-step run alternates between that code and this tree's (each as a separate
`python -m conveyor exec` process with its `src/` first on PYTHONPATH), after one warm-up
each. Reports the medians and the median of the pairwise differences. Results:
docs/perf/exec.md.

    source /tmp/testenv/env && .venv/bin/python -m bench.bench_exec_ab --old HEAD~1 [--pairs 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from bench.bench_exec_common import ROOT, export_src, pipeline
from bench.bench_exec_overhead import STEPS, Sample, load, measure


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--old", required=True, help="the commit to compare with (e.g. HEAD~1)")
    parser.add_argument("--pairs", type=int, default=10)
    args = parser.parse_args()
    command = [sys.executable, "-m", "conveyor", "exec"]
    with tempfile.TemporaryDirectory(prefix="bench-exec-ab-") as directory:
        base = Path(directory)
        old_src = export_src(args.old, base / "old")
        project = base / "project"
        project.mkdir()
        (project / ".drone.yml").write_text(pipeline([(f"step{i}", "true") for i in range(STEPS)]))
        sides = {
            name: {"PYTHONPATH": str(src), "CONVEYOR_STATE_DIR": str(base / f"state-{name}")}
            for name, src in (("old", old_src), ("new", ROOT / "src"))
        }
        print(f"load before: {load()}")
        for extra in sides.values():
            measure(command, project, extra)
        samples: dict[str, list[Sample]] = {name: [] for name in sides}
        for _ in range(args.pairs):
            for name, extra in sides.items():
                samples[name].append(measure(command, project, extra))
        print(f"load after: {load()}")
    for name, values in samples.items():
        cpu = statistics.median(s.cpu for s in values)
        wall = statistics.median(s.wall for s in values)
        print(
            f"{name} ({args.old if name == 'old' else 'tree'}): CPU median {cpu:.3f} s, "
            f"wall median {wall:.3f} s"
        )
    pairs = list(zip(samples["old"], samples["new"], strict=True))
    saved = statistics.median(a.cpu - b.cpu for a, b in pairs)
    print(f"CPU saved, median of {len(pairs)} pairs: {saved * 1000:.1f} ms")


if __name__ == "__main__":
    main()
