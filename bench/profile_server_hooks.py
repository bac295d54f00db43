"""Profile: where a webhook's time goes, from the POST to its stages queued.

The same set-up as bench_server_hooks (a real git repository, uvicorn, SQLite); yappi records
every server thread in wall time (waiting for git and for a core included, which is what a
webhook waits for on a loaded machine) or CPU time (`--cpu`). Prints the functions with the
most cumulative time per webhook, with the 1-minute load average before and after.

    .venv/bin/pip install yappi   # not a dependency of the project
    .venv/bin/python -m bench.profile_server_hooks [--pushes 100] [--cpu]
"""

from __future__ import annotations

import argparse
import os
import threading
from pathlib import Path

from bench.bench_server_hooks import hook_server
from bench.profile_server_api import _server_only


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--pushes", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--cpu", action="store_true", help="CPU time instead of wall time")
    args = parser.parse_args()
    try:
        import yappi  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        raise SystemExit("this profile needs yappi: .venv/bin/pip install yappi") from None

    load_before = os.getloadavg()[0]
    with hook_server(args.warmup + args.pushes) as push:
        for n in range(1, args.warmup + 1):
            push(n)
        yappi.set_clock_type("cpu" if args.cpu else "wall")
        yappi.start(builtins=True)
        took = [push(n) for n in range(args.warmup + 1, args.warmup + args.pushes + 1)]
        yappi.stop()
    client = threading.main_thread().ident
    threads = [t for t in yappi.get_thread_stats() if t.tid != client]
    stats = yappi.get_func_stats(filter_callback=_server_only({t.id for t in threads}))
    stats.sort("ttot")
    print(
        f"{args.pushes} webhooks, {sum(took) / len(took) * 1000:.1f} ms each on average "
        f"(client's clock); load {load_before:.1f} -> {os.getloadavg()[0]:.1f}; "
        f"{'CPU' if args.cpu else 'wall'} time of the server's threads, per webhook:"
    )
    print("| cumulative ms | calls | function |")
    for row in list(stats)[: args.top]:
        where = f"{Path(row.module).name}:{row.lineno} {row.name}"
        print(f"| {row.ttot / args.pushes * 1000:.2f} | {row.ncall / args.pushes:.1f} | {where} |")


if __name__ == "__main__":
    main()
