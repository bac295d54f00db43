"""Benchmark: webhook to queued stage, for 200 pushes to a real git repository.

A bare repository holds 200 commits of a two-pipeline `.drone.yml`. For each commit a signed
Gitea push webhook is posted to `conveyor server` (real uvicorn, SQLite), and the clock stops
when the API shows the build's stages queued (`pending` / `waiting_on_dependencies`): that is
git fetch + read, lint, trigger, compile and the database writes. Target: p95 < 250 ms.
Results: docs/perf/server.md.

    .venv/bin/python -m bench.bench_server_hooks [--pushes 200]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from tests.server.git_support import GitRepo, make_repo
from tests.server.live import serve_app
from tests.server.pipelines import TWO_PIPELINES as PIPELINE

from bench.server_support import bench_settings, p50_p95, session
from conveyor.server.app import create_app
from conveyor.server.hooks import sign

TARGET_MS = 250.0
SLUG = "bench/hooks"
QUEUED = {"pending", "waiting_on_dependencies"}


def commits(repo: GitRepo, count: int) -> list[str]:
    """`count` commits on main, pushed to the bare repository; their shas, oldest first."""
    shas = [repo.commit({"counter.txt": f"{n}\n"}, f"change {n}") for n in range(count)]
    repo.push("main")
    return shas


def payload(before: str, after: str, n: int) -> bytes:
    """A Gitea push of one commit."""
    person = {"name": "Alice", "email": "alice@example.test", "username": "alice"}
    body: dict[str, Any] = {
        "ref": "refs/heads/main",
        "before": before,
        "after": after,
        "compare_url": "",
        "commits": [{"id": after, "message": f"change {n}\n", "author": person}],
        "repository": {"full_name": SLUG, "name": "hooks", "owner": {"login": "bench"}},
        "pusher": {"login": "alice"},
        "sender": {"login": "alice"},
    }
    return json.dumps(body).encode()


def queued(http: requests.Session, base: str, number: int) -> bool:
    """True once build `number` exists with every stage queued."""
    answer = http.get(f"{base}/api/repos/{SLUG}/builds/{number}", timeout=30)
    if answer.status_code != 200:
        return False
    stages = answer.json().get("stages") or []
    return bool(stages) and all(stage.get("status") in QUEUED for stage in stages)


@contextmanager
def hook_server(pushes: int) -> Iterator[Callable[[int], float]]:
    """A served app with the repository of `pushes` commits; yields `push(n)`, which posts the
    webhook of commit n (1-based) and returns the seconds until its stages are queued."""
    with tempfile.TemporaryDirectory(prefix="conveyor-bench-hooks-") as tmp:
        root = Path(tmp)
        repo = make_repo(root, {".drone.yml": PIPELINE})
        first = repo.head()
        shas = commits(repo, pushes)
        settings = bench_settings(root / "data", f"sqlite:///{root / 'conveyor.sqlite'}")
        http = session()
        with serve_app(create_app(settings)) as base:
            made = http.post(
                f"{base}/api/repos/{SLUG}",
                json={"git_http_url": repo.url, "default_branch": "main"},
                timeout=30,
            )
            assert made.status_code in (200, 201), made.text
            secret = http.get(f"{base}/api/repos/{SLUG}/hook", timeout=30).json()["secret"]
            hook = requests.Session()
            hook.trust_env = False
            pairs = list(zip([first, *shas], shas, strict=False))

            def push(n: int) -> float:
                before, after = pairs[n - 1]
                body = payload(before, after, n)
                headers = {
                    "Content-Type": "application/json",
                    "X-Gitea-Event": "push",
                    "X-Gitea-Delivery": str(uuid.uuid4()),
                    "X-Gitea-Signature": sign(body, secret),
                }
                start = time.perf_counter()
                answer = hook.post(f"{base}/hook", data=body, headers=headers, timeout=30)
                assert answer.status_code < 300, (answer.status_code, answer.text[:300])
                while not queued(http, base, n):
                    time.sleep(0.001)
                return time.perf_counter() - start

            yield push


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--pushes", type=int, default=200)
    args = parser.parse_args()
    with hook_server(args.pushes) as push:
        times = [push(n) for n in range(1, args.pushes + 1)]
    p50, p95 = p50_p95(times)
    print(
        f"webhook to queued stages, {len(times)} pushes, SQLite: "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms (target p95 < {TARGET_MS:g} ms)"
    )


if __name__ == "__main__":
    main()
