"""Benchmark: cancel from the API to a killed stage, through a server and an agent.

A `conveyor server` (SQLite) and one `conveyor agent` run as processes. Each build runs a step
`sleep 300` (its shell ignores SIGTERM, as PID 1 of a container); once the step has printed its
first line, the script cancels the build (DELETE) and notes when Docker reports the container
dead (`die` event) and when the API first shows the stage `killed`. The issue's bound: 3 s.
Results: docs/perf/agent.md.

    source /tmp/testenv/env && .venv/bin/python -m bench.bench_agent_cancel [--builds 10]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import docker

from bench.agent_support import API, Cluster, cluster
from bench.bench_exec_common import IMAGE

PIPELINE = f"""\
kind: pipeline
type: docker
name: default
steps:
- name: wait
  image: {IMAGE}
  commands: [echo started, sleep 300]
"""


class Deaths:
    """The wall-clock times at which containers of steps named `wait` died, as they happen."""

    def __init__(self) -> None:
        self._client = docker.from_env()
        filters = {"type": "container", "event": "die", "label": "conveyor.step=wait"}
        self._events = self._client.events(decode=True, filters=filters)
        self.times: list[float] = []
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        with suppress(Exception):  # closing the stream ends it with an error
            for event in self._events:
                self.times.append(int(event["timeNano"]) / 1e9)

    def after(self, moment: float, timeout: float = 30.0) -> float:
        """The first death after `moment`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            later = [t for t in self.times if t >= moment]
            if later:
                return min(later)
            time.sleep(0.01)
        raise SystemExit("no container died after the cancel")

    def close(self) -> None:
        self._events.close()
        self._client.close()


def one_cancel(site: Cluster, deaths: Deaths) -> tuple[float, float]:
    """Seconds from DELETE to the container's death and to the stage shown `killed`."""
    http, api = site.http, site.base + API
    number = http.post(api, params={"branch": "main"}, timeout=60).json()["number"]
    log = f"{api}/{number}/logs/1/2"
    while "started" not in http.get(log, params={"format": "text"}, timeout=60).text:
        time.sleep(0.05)
    asked = time.time()
    http.delete(f"{api}/{number}", timeout=60).raise_for_status()
    while True:
        build: dict[str, Any] = http.get(f"{api}/{number}", timeout=60).json()
        if build["stages"][0]["status"] == "killed":
            killed = time.time()
            break
        if time.time() - asked > 60:
            raise SystemExit(f"build {number} was not killed: {build}")
        time.sleep(0.02)
    return deaths.after(asked) - asked, killed - asked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--builds", type=int, default=10)
    count = parser.parse_args().builds
    deaths = Deaths()
    try:
        with tempfile.TemporaryDirectory() as temp, cluster(Path(temp), PIPELINE) as site:
            results = [one_cancel(site, deaths) for _ in range(count)]
    finally:
        deaths.close()
    print(f"cancel of a running `sleep 300` step, {count} builds, one agent")
    for label, values in (
        ("DELETE -> container dead", [r[0] for r in results]),
        ("DELETE -> stage killed", [r[1] for r in results]),
    ):
        print(f"{label:<26} median {statistics.median(values):5.2f} s   max {max(values):5.2f} s")


if __name__ == "__main__":
    main()
