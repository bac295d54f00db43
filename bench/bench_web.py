"""Benchmark: the web pages in headless Chromium (Playwright, Debian's /usr/bin/chromium).

1. First paint of a build page whose step printed 10,000 log lines: `first-contentful-paint`,
   DOMContentLoaded and the moment the last line is in the DOM (a MutationObserver), p50/p95
   over N fresh loads; the baseline, in the same run and interleaved, is the same page's HTML
   saved to a file and served by a plain Starlette route (with the same /static files).
2. Line latency: a step prints `lat I SECONDS` lines (its wall clock, from busybox adjtimex;
   a container shares the host's clock); the open build page notes when each line node arrives
   (a MutationObserver, `performance.timeOrigin + performance.now()`); p50/p95 of the difference.

A `conveyor server` (SQLite) and a `conveyor agent` run as processes (tests/web/site.py).
Results: docs/perf/web.md.

    source /tmp/testenv/env && .venv/bin/python -m bench.bench_web [--loads 30] [--lines 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, StorageState, sync_playwright
from starlette.applications import Starlette
from starlette.responses import FileResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from tests.agent.live_support import SLUG
from tests.server.live import serve_app
from tests.web.browser import launch, new_context
from tests.web.site import WebSite, sign_in, web_site

IMAGE = os.environ.get("TEST_IMAGE", "ci-test/busybox:1")
BIG = f"""\
kind: pipeline
type: docker
name: default
steps:
- name: print
  image: {IMAGE}
  commands:
  - seq 1 10000 | sed 's/^/log line number /'
"""
LATENCY = """\
kind: pipeline
type: docker
name: default
steps:
- name: latency
  image: {image}
  commands:
  - sleep 4
  - T='/tv_sec/{{s=$2}} /tv_usec/{{u=$2}} END{{printf "%d.%06d", s, u}}'
  - for i in $(seq 1 {lines}); do echo "lat $i $(adjtimex | awk "$T")"; sleep 0.05; done
"""
LAST_LINE = "log line number 10000"
WATCH_LAST = """
(() => {
  const mark = "__MARK__";
  new MutationObserver((records, observer) => {
    for (const record of records) for (const node of record.addedNodes) {
      if ((node.textContent || "").includes(mark)) {
        window.__lastLineAt = performance.now();
        observer.disconnect();
        return;
      }
    }
  }).observe(document, { childList: true, subtree: true });
})();
"""
WATCH_LATENCY = """
(() => {
  const seen = {};
  window.__arrivals = seen;
  const pattern = /lat (\\d+) (\\d+\\.\\d+)/g;
  new MutationObserver((records) => {
    const now = (performance.timeOrigin + performance.now()) / 1000;
    for (const record of records) for (const node of record.addedNodes) {
      for (const match of (node.textContent || "").matchAll(pattern)) {
        if (!(match[1] in seen)) seen[match[1]] = now - parseFloat(match[2]);
      }
    }
  }).observe(document, { childList: true, subtree: true });
})();
"""


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (0.95: p95) of `values`, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _load(browser: Browser, state: StorageState | None, url: str) -> dict[str, float]:
    context = new_context(browser, state=state)
    page = context.new_page()
    page.add_init_script(WATCH_LAST.replace("__MARK__", LAST_LINE))
    page.goto(url, wait_until="load")
    page.wait_for_function("() => window.__lastLineAt !== undefined", timeout=60_000)
    timing: dict[str, float] = page.evaluate(
        """() => ({
            fcp: performance.getEntriesByName("first-contentful-paint")[0].startTime,
            dcl: performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd,
            last: window.__lastLineAt})"""
    )
    context.close()
    return timing


@contextmanager
def _static_copy(html: str, folder: Path) -> Iterator[str]:
    """The page's HTML as a file behind a plain Starlette route, with the package's /static."""
    page = folder / "page.html"
    page.write_text(html, encoding="utf-8")
    static = str(files("conveyor.server.web") / "static")
    app = Starlette(
        routes=[
            Route("/page", lambda _request: FileResponse(page, media_type="text/html")),
            Mount("/static", app=StaticFiles(directory=static)),
        ]
    )
    with serve_app(app) as base:
        yield f"{base}/page"


def first_paint(browser: Browser, site: WebSite, state: StorageState, loads: int) -> None:
    """Part 1: the build page with 10,000 lines vs its static copy."""
    site.push(BIG, "10,000 lines")
    number = site.latest()
    assert site.site.finished(number)["status"] == "success"
    url = site.url(f"/{SLUG}/{number}/1/2")  # the step "print" (1 is the clone)
    context = new_context(browser, state=state)
    html = context.request.get(url).text()
    context.close()
    print(f"the last line is in the page's HTML: {LAST_LINE in html}")
    with tempfile.TemporaryDirectory() as folder, _static_copy(html, Path(folder)) as copy:
        for _ in range(3):  # warm-up
            _load(browser, state, url)
            _load(browser, None, copy)
        pages: list[dict[str, float]] = []
        static: list[dict[str, float]] = []
        for _ in range(loads):
            pages.append(_load(browser, state, url))
            static.append(_load(browser, None, copy))
    print(f"build page with 10,000 lines, {loads} loads each (ms):")
    print(f"{'measure':<28}{'page p50':>10}{'p95':>9}{'static p50':>12}{'p95':>9}")
    for key, label in (
        ("fcp", "first contentful paint"),
        ("dcl", "DOMContentLoaded end"),
        ("last", "last line in the DOM"),
    ):
        a = [t[key] for t in pages]
        b = [t[key] for t in static]
        print(
            f"{label:<28}{percentile(a, 0.5):>10.0f}{percentile(a, 0.95):>9.0f}"
            f"{percentile(b, 0.5):>12.0f}{percentile(b, 0.95):>9.0f}"
        )
    print(f"HTML size: {len(html.encode()) / 1024:.0f} KiB")


def latency(browser: Browser, site: WebSite, state: StorageState, lines: int) -> None:
    """Part 2: from a line leaving the step to its node in the open build page."""
    site.push(LATENCY.format(image=IMAGE, lines=lines), "latency")
    number = site.latest()
    context = new_context(browser, state=state)
    page: Page = context.new_page()
    page.add_init_script(WATCH_LATENCY)
    page.goto(site.url(f"/{SLUG}/{number}/1/2"))
    page.wait_for_function(
        f"() => Object.keys(window.__arrivals).length >= {lines}", timeout=120_000
    )
    arrivals: dict[str, Any] = page.evaluate("() => window.__arrivals")
    context.close()
    site.site.finished(number)
    delays = [float(v) * 1000 for v in arrivals.values()]
    print(
        f"line latency, agent to page, {len(delays)} lines (ms): "
        f"p50 {percentile(delays, 0.5):.1f}, p95 {percentile(delays, 0.95):.1f}, "
        f"min {min(delays):.1f}, max {max(delays):.1f}, mean {statistics.fmean(delays):.1f}"
    )


def main() -> None:
    """Run both parts on one server and agent."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=30)
    parser.add_argument("--lines", type=int, default=200)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        with web_site(root, f"sqlite:///{root / 'c.sqlite'}", BIG) as site, sync_playwright() as pw:
            browser = launch(pw)
            context = new_context(browser)
            sign_in(context.new_page(), site)
            state = context.storage_state()
            context.close()
            first_paint(browser, site, state, args.loads)
            latency(browser, site, state, args.lines)
            browser.close()
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
