"""Profile: where the server's time goes for `GET builds` and `GET build` on a full store.

The store is filled as in bench_server_api; the app runs under uvicorn in a thread of this
process and yappi records every thread except the client's (the main thread). Prints the
functions with the most CPU time (or wall time with `--wall`) per request.

    .venv/bin/pip install yappi   # not a dependency of the project
    .venv/bin/python -m bench.profile_server_api [--database sqlite|postgresql] [--wall]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from tests.server.live import serve_app

from bench.bench_server_api import SLUG, create_repo, populate
from bench.server_support import bench_settings, postgres_databases, session
from conveyor.server.app import create_app


def profile(url: str, paths: list[str], args: argparse.Namespace) -> None:
    """Serve, fill, warm up, then record `args.requests` requests of each path."""
    try:
        import yappi  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        raise SystemExit("this profile needs yappi: .venv/bin/pip install yappi") from None

    with tempfile.TemporaryDirectory(prefix="conveyor-profile-") as tmp:
        data = Path(tmp)
        db_url = url or f"sqlite:///{data / 'conveyor.sqlite'}"
        http = session()
        with serve_app(create_app(bench_settings(data, db_url))) as base:
            create_repo(http, base, data)
            populate(db_url, data, args.builds, args.lines)
            for _ in range(30):
                for path in paths:
                    http.get(base + path, timeout=30)
            yappi.set_clock_type("wall" if args.wall else "cpu")
            yappi.start(builtins=True)
            for _ in range(args.requests):
                for path in paths:
                    http.get(base + path, timeout=30)
            yappi.stop()
    client = threading.main_thread().ident
    threads = [t for t in yappi.get_thread_stats() if t.tid != client]
    stats = yappi.get_func_stats(filter_callback=_server_only({t.id for t in threads}))
    count = args.requests * len(paths)
    total = sum(t.ttot for t in threads)
    print(f"server threads: {total / count * 1000:.2f} ms per request ({count} requests)")
    stats.sort("ttot" if args.cumulative else "tsub")
    column = "cumulative" if args.cumulative else "own"
    print(f"| {column} ms/request | calls/request | function |")
    for row in list(stats)[: args.top]:
        took = (row.ttot if args.cumulative else row.tsub) / count * 1000
        where = f"{Path(row.module).name}:{row.lineno} {row.name}"
        print(f"| {took:.3f} | {row.ncall / count:.1f} | {where} |")


def _server_only(contexts: set[int]) -> Callable[[Any], bool]:
    return lambda stat: stat.ctx_id in contexts


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--builds", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--wall", action="store_true", help="wall time instead of CPU time")
    parser.add_argument("--cumulative", action="store_true", help="sort by time with callees")
    parser.add_argument("--path", action="append", help="request paths (default: both)")
    args = parser.parse_args()
    paths = args.path or [
        f"/api/repos/{SLUG}/builds?per_page=25&page=1",
        f"/api/repos/{SLUG}/builds/{args.builds // 2}",
    ]
    database: Callable[[], AbstractContextManager[str]] = lambda: nullcontext("")  # noqa: E731
    if args.database == "postgresql":
        found = postgres_databases()
        assert found, "PostgreSQL is not running (scripts/testenv/pg-up.sh)"
        database = found[0][1]
    with database() as url:
        profile(url, paths, args)


if __name__ == "__main__":
    main()
