"""Benchmark: log throughput of a step printing 200 MB with 20 secrets masked, against reading
the same container's output raw through the Docker SDK (attach before start, no decoding).

Conveyor's path: attach, frame parsing, incremental UTF-8 decode, StreamMasker with 20 secrets,
line split, step-name prefix, write to /dev/null. Two outputs: lines holding no secret (the
usual case) and lines each holding one secret (the worst case). Interleaved in the same run.
Target: at least 0.8 of the raw throughput. Results: docs/perf/exec.md.

    source /tmp/testenv/env && .venv/bin/python -m bench.bench_exec_logs [--mb 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import time
import uuid
from functools import partial

from bench.bench_exec_common import IMAGE, alternate, client, compile_yaml, engine, run_plan

TARGET = 0.8
PLAIN_LINE = "compiling module 0123456789 abcdefghijklmnopqrstuvwxyz ok"


def producer(megabytes: int, line: str) -> str:
    return f"yes '{line}' | head -c {megabytes * 1_000_000}"


def sdk_raw(command: str) -> float:
    """Seconds to run `command` in a container and read all its output raw via the SDK."""
    api = client().api
    name = f"bench-logs-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    created = api.create_container(IMAGE, command=["/bin/sh", "-c", command], name=name)
    start = time.perf_counter()
    try:
        stream = api.attach(created["Id"], stdout=True, stderr=True, stream=True, logs=False)
        api.start(created["Id"])
        total = sum(len(chunk) for chunk in stream)
        api.wait(created["Id"])
    finally:
        took = time.perf_counter() - start
        api.remove_container(created["Id"], force=True)
    if total < 1_000_000:
        raise SystemExit(f"the raw reader got only {total} bytes")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    values = {f"SECRET_{i}": secrets.token_hex(8) for i in range(20)}
    backend = engine()
    for label, line in (
        ("no secret in the output", PLAIN_LINE),
        ("a secret on every line", f"token {values['SECRET_7']} {PLAIN_LINE}"),
    ):
        command = producer(args.mb, line)
        yaml = (
            "kind: pipeline\ntype: docker\nname: logs\nsteps:\n- name: print\n"
            f"  image: {IMAGE}\n  pull: if-not-exists\n"
            "  environment:\n    TOKEN: {from_secret: SECRET_0}\n"
            f"  commands:\n  - {command}\n"
        )
        plan = compile_yaml(yaml)
        ours, raw = alternate(
            args.repeat,
            partial(run_plan, backend, plan, secrets=values),
            partial(sdk_raw, command),
        )
        mine = args.mb / statistics.median(ours)
        theirs = args.mb / statistics.median(raw)
        print(
            f"{label}: conveyor {mine:.1f} MB/s, raw SDK {theirs:.1f} MB/s, "
            f"ratio {mine / theirs:.2f} (target >= {TARGET})"
        )


if __name__ == "__main__":
    main()
