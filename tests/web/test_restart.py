"""A build page left open while the server restarts under it: its live stream reconnects by
itself, the lines printed meanwhile appear, none twice and in order, and the build's end shows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.agent.live_support import SLUG
from tests.conftest import LocalEnv
from tests.web.pages import step_of
from tests.web.site import TICKER, WebSite, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.docker]

LINES = 120


def test_a_build_page_stays_correct_across_a_server_restart(
    page: Page, site: WebSite, testenv: LocalEnv
) -> None:
    sign_in(page, site)
    site.push(TICKER.format(image=testenv.image, lines=LINES, pause="0.25"), "ticks")
    number = site.latest()
    page.goto(site.url(f"/{SLUG}/{number}/1/2"))  # the step "tick"
    main = page.locator("main")
    expect(main).to_contain_text(f"tick 3 of {LINES}", timeout=60_000)
    site.restart()
    assert step_of(site, number, "tick")["status"] == "running", "restarted too late"
    expect(main).to_contain_text(f"tick {LINES} of {LINES}", timeout=90_000)
    assert site.site.finished(number)["status"] == "success"
    expect(main).to_contain_text(re.compile("success", re.I))
    ticks = re.findall(rf"tick (\d+) of {LINES}", main.inner_text())
    assert ticks == [str(n) for n in range(1, LINES + 1)]
