"""Benchmark: where the CPU of `conveyor exec` and of the SDK script goes, phase by phase.

Each side runs as a child process that does its program's work in order, printing
`time.process_time()` between phases (imports, loading the file, connecting, the run); the
exit is the child's `os.wait4` CPU total minus what it printed. Medians over `--runs` runs per
side, alternating, in a temporary project (10 serial `true` steps, own state directory).
Results: docs/perf/exec.md and docs/performance.md.

    source /tmp/testenv/env && .venv/bin/python -m bench.bench_exec_profile [--runs 9]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from bench.bench_exec_common import ROOT, pipeline
from bench.bench_exec_overhead import SCRIPT, STEPS, load, measure

CONVEYOR = """
import sys, time
marks = []
def mark(name):
    marks.append((name, time.process_time()))
mark("interpreter start")
import docker, docker.types
mark("docker and its imports")
import yaml
mark("PyYAML")
from pathlib import Path
from conveyor.cli.main import build_parser
from conveyor.cli import cmd_exec
from conveyor.cli.console import is_terminal, use_color
from conveyor.cli.exec_settings import credential_factory, make_guard
from conveyor.cli.output.console_sink import ConsoleSink
from conveyor.engine.docker_backend import connect
from conveyor.runner.executor import Executor, RunOptions
import conveyor.cache.guard, conveyor.registry.sources, conveyor.lint
import conveyor.cli.checked_file, conveyor.compiler.compile, conveyor.config.loader
args = build_parser().parse_args(["exec"])
mark("Conveyor's modules, argument parsing")
plan, secrets, _ = cmd_exec.prepare(args, sys.stderr)
mark("load, lint and compile the file")
engine = connect()
cmd_exec.remove_dead_leftovers(engine, sys.stderr)
mark("connect and the leftovers check")
sink = ConsoleSink(sys.stdout, sys.stderr, color=use_color(sys.stdout), live=False)
guard = make_guard(args.image_cache_mode, sys.stderr, args.image_cache_max_age)
credentials = credential_factory(args, "local/project")
executor = Executor(engine, sink=sink, guard=guard, credentials=credentials)
mark("image guard and executor set-up")
executor.run(plan, secrets, RunOptions(workspace_source=Path.cwd()))
mark("the run (every thread)")
import gc
gc.freeze()
print(f"@interpreter start\\t{marks[0][1] * 1000:.2f}", file=sys.stderr)
for (_, before), (name, after) in zip(marks, marks[1:]):
    print(f"@{name}\\t{(after - before) * 1000:.2f}", file=sys.stderr)
"""

SDK = f"""
import sys, time
start = time.process_time()
sys.path.insert(0, {str(SCRIPT.parent)!r})
sys.argv = ["exec_sdk_script.py", "--steps", "{STEPS}"]
import exec_sdk_script
loaded = time.process_time()
exec_sdk_script.main()
ran = time.process_time()
print(f"@interpreter start\\t{{start * 1000:.2f}}", file=sys.stderr)
print(f"@docker and its imports\\t{{(loaded - start) * 1000:.2f}}", file=sys.stderr)
print(f"@the run (every thread)\\t{{(ran - loaded) * 1000:.2f}}", file=sys.stderr)
"""


def phases(command: list[str], cwd: Path, extra: dict[str, str]) -> dict[str, float]:
    """Milliseconds per phase of one child, the exit and the total included."""
    sample = measure(command, cwd, extra)
    found: dict[str, float] = {}
    for line in sample.stderr.splitlines():
        if line.startswith("@"):
            name, _, value = line[1:].partition("\t")
            found[name] = float(value)
    found["exit"] = sample.cpu * 1000 - sum(found.values())
    found["total (wait4)"] = sample.cpu * 1000
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    sides = {"conveyor exec": CONVEYOR, "SDK script": SDK}
    results: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
    with tempfile.TemporaryDirectory(prefix="bench-exec-profile-") as directory:
        project = Path(directory) / "project"
        project.mkdir()
        (project / ".drone.yml").write_text(pipeline([(f"step{i}", "true") for i in range(STEPS)]))
        extra = {"CONVEYOR_STATE_DIR": str(Path(directory) / "state"), "PYTHONPATH": str(ROOT)}
        print(f"load before: {load()}")
        for _ in range(args.runs + 1):  # the first round is a warm-up
            for name, code in sides.items():
                results[name].append(phases([sys.executable, "-c", code], project, extra))
        print(f"load after: {load()}")
    for name, runs in results.items():
        print(f"{name} (median ms of {args.runs} runs):")
        for phase in runs[1]:
            print(f"  {statistics.median(run[phase] for run in runs[1:]):8.1f}  {phase}")


if __name__ == "__main__":
    main()
