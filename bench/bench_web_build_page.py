"""Benchmark: the server's side of a build page whose step has 10,000 log lines (coloured),
in process: time to the whole answer, median of runs, against the small account page measured
in the same run. The browser's first paint is measured with Playwright by the browser tests'
benchmark; this isolates what the server adds (one query for the lines, the ANSI renderer,
the streamed template).

    .venv/bin/python -m bench.bench_web_build_page [--lines 10000] [--repeat 9] [--carry]

With --carry the first line sets a colour that no line resets, and the others have no escape:
every line is then rendered in a style carried over from the line before.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from tests.server.conftest import ADMIN_TOKEN
from tests.server.web.conftest import Browser, web_settings

from conveyor.server.app import create_app
from conveyor.server.logstore import Line, append, from_lines
from conveyor.server.startup import open_state
from conveyor.server.store.models import Build, Repo, Stage, Step

LINE = "\x1b[32m{n:>6}\x1b[0m compiling module_{n} with <flags> & \x1b[1mwarnings\x1b[0m off\n"
CARRIED = "{n:>6} compiling module_{n} with <flags> & warnings off\n"
"""With --carry: every line but the first, which starts with `\x1b[33m` (and no reset)."""


def seed(client: TestClient, lines: int, *, carry: bool = False) -> None:
    """octo/app with build 1, one stage, one step of `lines` log lines (rows written directly)."""
    answer = client.post(
        "/api/repos/octo/app",
        json={"git_http_url": "https://git.example/x.git"},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert answer.status_code == 201, answer.text
    ctx = client.app.state.conveyor  # type: ignore[attr-defined]
    with ctx.tx() as session:
        repo = session.query(Repo).one()
        build = Build(
            repo_id=repo.id, number=1, status="success", event="push", created=1, updated=1
        )
        session.add(build)
        session.flush()
        stage = Stage(
            repo_id=repo.id, build_id=build.id, number=1, name="build", status="success",
            created=1, updated=1,
        )  # fmt: skip
        session.add(stage)
        session.flush()
        step = Step(stage_id=stage.id, number=1, name="test", status="success")
        session.add(step)
        session.flush()
        texts = [CARRIED.format(n=n) for n in range(lines)] if carry else []
        if carry:
            texts[0] = "\x1b[33m" + texts[0]
        append(
            session,
            step.id,
            from_lines(
                Line(pos=n, out=texts[n] if carry else LINE.format(n=n), time=n)
                for n in range(lines)
            ),
        )


def median_seconds(call: Callable[[], object], repeat: int) -> float:
    """Median wall time of `repeat` calls, after one warm-up call."""
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--carry", action="store_true", help="one colour carried over all lines")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-web-"))
    settings = web_settings(root, f"sqlite:///{root / 'bench.sqlite'}")
    state = open_state(settings)
    with TestClient(create_app(settings, state)) as client:
        browser = Browser(client, state)
        seed(client, args.lines, carry=args.carry)
        browser.sign_in()

        def build_page() -> None:
            answer = client.get("/octo/app/1/1/1")
            assert answer.text.count('<div class="line"') == args.lines

        page = median_seconds(build_page, args.repeat)
        small = median_seconds(lambda: client.get("/account"), args.repeat)
    state.engine.dispose()
    print(f"build page with {args.lines} log lines: {page * 1000:.0f} ms (median of {args.repeat})")
    print(f"account page (baseline):          {small * 1000:.0f} ms")
    print(f"per log line: {(page - small) / args.lines * 1e6:.1f} us")


if __name__ == "__main__":
    main()
