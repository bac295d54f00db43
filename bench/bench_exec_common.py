"""Shared pieces of the `conveyor exec` benchmarks (not a benchmark itself).

Plans are compiled from YAML by the real loader and compiler; runs use the real Docker backend
with a sink that renders to /dev/null, exactly as `conveyor exec` renders to a pipe.
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import tarfile
import time
from collections.abc import Callable
from pathlib import Path

import docker

from conveyor.cache.guard import OpenGuard
from conveyor.cli.output.console_sink import ConsoleSink
from conveyor.compiler.compile import compile_pipeline, select_pipeline
from conveyor.compiler.context import BuildContext
from conveyor.config.loader import load_text
from conveyor.engine.docker.backend import DockerEngine, connect
from conveyor.plan.model import Plan
from conveyor.runner.dag import RunStatus
from conveyor.runner.job import StageJob
from conveyor.runner.stage import run_stage

IMAGE = "ci-test/busybox:1"
ROOT = Path(__file__).resolve().parent.parent


def compile_yaml(text: str) -> Plan:
    """The plan of the first pipeline of `text`."""
    loaded = load_text(text, "bench.yml")
    return compile_pipeline(select_pipeline(loaded.file, None), BuildContext())


def pipeline(steps: list[tuple[str, str]], *, serial: bool = True) -> str:
    """YAML of a pipeline of (name, command) steps; independent when `serial` is False.

    Drone runs a file in series unless some step has a non-empty `depends_on`, so the
    parallel form ends with a `done` step (`true`) that depends on all the others.
    """
    lines = ["kind: pipeline", "type: docker", "name: bench", "steps:"]
    for name, command in steps:
        lines += [f"- name: {name}", f"  image: {IMAGE}", "  pull: if-not-exists"]
        lines += ["  commands:", f"  - {command}"]
    if not serial:
        names = ", ".join(name for name, _ in steps)
        lines += ["- name: done", f"  image: {IMAGE}", "  pull: if-not-exists"]
        lines += [f"  depends_on: [{names}]", "  commands:", "  - true"]
    return "\n".join(lines) + "\n"


def run_plan(
    engine: DockerEngine,
    plan: Plan,
    *,
    secrets: dict[str, str] | None = None,
    parallel: int = 4,
    source: Path | None = None,
) -> float:
    """Seconds to run `plan` to the end (setup, steps, cleanup), output to /dev/null."""
    with open(os.devnull, "w") as sink_file:
        sink = ConsoleSink(sink_file, sink_file, color=False, live=False)
        job = StageJob(plan=plan, secrets=secrets or {}, parallel=parallel, workspace_source=source)
        start = time.perf_counter()
        finished = run_stage(job, engine=engine, sink=sink, guard=OpenGuard())
        took = time.perf_counter() - start
    if finished.status is not RunStatus.SUCCESS:
        raise SystemExit(f"benchmark run failed: {finished}")
    return took


def engine() -> DockerEngine:
    """The real backend on DOCKER_HOST."""
    return connect()


def client() -> docker.DockerClient:
    """A plain SDK client for baselines."""
    return docker.from_env()


def alternate(
    repeat: int, first: Callable[[], float], second: Callable[[], float]
) -> tuple[list[float], list[float]]:
    """Run both `repeat` times, interleaved (after one warm-up each), so drift hits both."""
    first()
    second()
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeat):
        a.append(first())
        b.append(second())
    return a, b


def describe(label: str, values: list[float]) -> str:
    """`label: median 1.234 s (min 1.100, max 1.400, n=5)`."""
    return (
        f"{label}: median {statistics.median(values):.3f} s "
        f"(min {min(values):.3f}, max {max(values):.3f}, n={len(values)})"
    )


def export_src(revision: str, into: Path) -> Path:
    """`src/` of git `revision`, extracted under `into`; the directory to put on PYTHONPATH."""
    archive = subprocess.run(
        ["git", "archive", revision, "src"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"
