"""Benchmark: API latency of `GET builds` (25 per page) and `GET build` on a full store.

The store holds 10,000 builds (one stage, two steps each) and 100,000 log lines. Each request is
sent over real HTTP to `conveyor server`'s app under uvicorn, and the same number of requests to
a plain Starlette route returning a fixed body of the same size, served the same way (the
baseline). SQLite, and PostgreSQL when the test environment has it. Target: p95 within 5x the
baseline's p95. Results: docs/perf/server.md.

    .venv/bin/python -m bench.bench_server_api [--builds 10000] [--lines 100000] [--requests 300]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import requests
from sqlalchemy import insert, select, update
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tests.server.live import serve_app

from bench.server_support import (
    bench_settings,
    getter,
    p50_p95,
    postgres_databases,
    sample_pair,
    session,
)
from conveyor.server.app import create_app
from conveyor.server.logstore import Chunk, append
from conveyor.server.startup import open_state
from conveyor.server.store.models import Build, Repo, Stage, Step

TARGET_RATIO = 5.0
SLUG = "bench/app"


def create_repo(http: requests.Session, base: str, data: Path) -> None:
    """The benchmark's repository, created through the API (its git URL is never read)."""
    created = http.post(
        f"{base}/api/repos/{SLUG}",
        json={"git_http_url": str(data / "none.git"), "default_branch": "main"},
        timeout=30,
    )
    assert created.status_code in (200, 201), created.text


def populate(database_url: str, data_dir: Path, builds: int, lines: int) -> None:
    """The repository, its builds, stages, steps and log lines, inserted in bulk."""
    state = open_state(bench_settings(data_dir, database_url))
    now = int(time.time())
    with state.sessions.begin() as db:
        repo_id = db.scalar(select(Repo.id).where(Repo.slug == SLUG))
        assert repo_id is not None, "create the repository through the API first"
        db.execute(
            insert(Build),
            [_build(repo_id, n, now) for n in range(1, builds + 1)],
        )
        ids = dict(db.execute(select(Build.number, Build.id).where(Build.repo_id == repo_id)).all())
        db.execute(insert(Stage), [_stage(repo_id, ids[n], now) for n in range(1, builds + 1)])
        stage_ids = db.scalars(select(Stage.id).order_by(Stage.id)).all()
        db.execute(
            insert(Step),
            [_step(s, k) for s in stage_ids for k in (1, 2)],
        )
        step_ids = db.scalars(select(Step.id).order_by(Step.id)).all()
        per_step = max(1, lines // len(step_ids))
        left = lines
        for step in step_ids:
            count = min(per_step, left)
            left -= count
            text = [f"line {pos} of the step's log\n" for pos in range(count)]
            if count:
                append(db, step, [Chunk(0, text, [(1, pos) for pos in range(count)])])
        db.execute(update(Repo).where(Repo.id == repo_id).values(counter=builds))
    state.engine.dispose()


def _build(repo_id: int, number: int, now: int) -> dict[str, object]:
    return {
        "repo_id": repo_id,
        "number": number,
        "status": "success",
        "event": "push",
        "ref": "refs/heads/main",
        "source": "main",
        "target": "main",
        "after": f"{number:040x}",
        "message": f"commit number {number}\n",
        "author_login": "alice",
        "created": now - 10_000 + number,
        "updated": now - 10_000 + number,
        "started": now - 10_000 + number,
        "finished": now - 10_000 + number + 5,
    }


def _stage(repo_id: int, build_id: int, now: int) -> dict[str, object]:
    return {
        "repo_id": repo_id,
        "build_id": build_id,
        "number": 1,
        "name": "default",
        "status": "success",
        "created": now,
        "updated": now,
    }


def _step(stage_id: int, number: int) -> dict[str, object]:
    return {"stage_id": stage_id, "number": number, "name": f"step{number}", "status": "success"}


def baseline_app(body: bytes) -> Starlette:
    """One route answering a fixed JSON body."""

    async def fixed(_request: Request) -> Response:
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/fixed", fixed)])


def measure(
    name: str, database: Callable[[], AbstractContextManager[str]], args: argparse.Namespace
) -> list[str]:
    """The table rows of one backend."""
    with tempfile.TemporaryDirectory(prefix="conveyor-bench-api-") as tmp, database() as url:
        data = Path(tmp)
        db_url = url or f"sqlite:///{data / 'conveyor.sqlite'}"
        http = session()
        with serve_app(create_app(bench_settings(data, db_url))) as base:
            create_repo(http, base, data)
            started = time.perf_counter()
            populate(db_url, data, args.builds, args.lines)
            took = time.perf_counter() - started
            print(f"{name}: stored {args.builds} builds, {args.lines} lines in {took:.1f} s")
            return [
                compare(http, base, name, label, path, args.requests)
                for label, path in (
                    ("GET builds (25/page)", f"/api/repos/{SLUG}/builds?per_page=25&page=1"),
                    ("GET builds, page 200", f"/api/repos/{SLUG}/builds?per_page=25&page=200"),
                    ("GET build", f"/api/repos/{SLUG}/builds/{args.builds // 2}"),
                )
            ]


def compare(http: requests.Session, base: str, name: str, label: str, path: str, count: int) -> str:
    """One table row: `path` against the baseline answering the same bytes, interleaved."""
    answer = http.get(base + path, timeout=30)
    assert answer.status_code == 200, (path, answer.status_code, answer.text[:200])
    with serve_app(baseline_app(answer.content)) as fixed:
        times, plain = sample_pair(getter(http, base + path), getter(http, f"{fixed}/fixed"), count)
    (p50, p95), (b50, b95) = p50_p95(times), p50_p95(plain)
    return (
        f"| {name} | {label} | {len(answer.content)} B | {p50:.2f} | {p95:.2f} "
        f"| {b50:.2f} | {b95:.2f} | {p95 / b95:.1f}x |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--builds", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    backends: list[tuple[str, Callable[[], AbstractContextManager[str]]]] = [
        ("sqlite", lambda: nullcontext("")),
        *postgres_databases(),
    ]
    rows = []
    for name, database in backends:
        rows.extend(measure(name, database, args))
    print(
        "| database | request | body | p50 ms | p95 ms | baseline p50 | baseline p95 | p95 ratio |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"target: p95 ratio <= {TARGET_RATIO:g}x")


if __name__ == "__main__":
    main()
