"""A running build's page in a real browser: opened without a step, it shows the running step
and moves on to the next one when that ends; the line counter counts the lines that arrive
live; a colour set on one line stays on the next lines until reset, as in a terminal; and the
live log stops, saying why, when the session ends in another tab."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.agent.live_support import SLUG
from tests.conftest import LocalEnv
from tests.web.site import TICKER, WebSite, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.docker]

TWO_STEPS = """\
kind: pipeline
type: docker
name: default
steps:
- name: colours
  image: {image}
  commands:
  - printf '\\033[33mstart yellow\\n'
  - sleep 4
  - printf 'still yellow\\n'
  - printf '\\033[0mplain again\\n'
  - for i in $(seq 1 10); do echo "tick $i"; sleep 0.4; done
- name: after
  image: {image}
  commands:
  - sleep 2
  - echo "the second step"
"""
"""A step whose yellow lasts over a later line, then a second step."""


def _wait_running(site: WebSite, number: int, name: str) -> None:
    """Until step `name` of build `number` runs."""

    def running(build: dict[str, Any]) -> bool:
        steps = [step for stage in build.get("stages") or [] for step in stage["steps"]]
        return any(step["name"] == name and step["status"] == "running" for step in steps)

    site.site.wait(number, running, 60.0)


def _shown_and_counted(page: Page) -> tuple[int, str]:
    """The number of log lines shown and the counter's text, read at one moment."""
    shown, text = page.evaluate(
        """() => [document.querySelectorAll("#log .line").length,
                  document.getElementById("line-count").textContent]"""
    )
    return int(shown), str(text)


def test_a_running_build_page_follows_its_steps_counts_and_keeps_colours(
    page: Page, site: WebSite, testenv: LocalEnv
) -> None:
    sign_in(page, site)
    site.push(TWO_STEPS.format(image=testenv.image), "two steps")
    number = site.latest()
    _wait_running(site, number, "colours")
    page.goto(site.url(f"/{SLUG}/{number}"))  # no step in the address
    expect(page.locator("#log-title")).to_have_text("default / colours")
    first, _ = _shown_and_counted(page)
    still = page.locator("#log .t", has_text=re.compile("^still yellow$"))  # not the `+ printf`
    expect(still).to_be_visible(timeout=30_000)
    assert still.locator("span.f3").count() == 1, still.inner_html()  # yellow since line 1
    plain = page.locator("#log .t", has_text=re.compile("^plain again$"))
    expect(plain).to_be_visible()
    assert plain.locator("span.f3").count() == 0, plain.inner_html()
    expect(page.locator("#log")).to_contain_text("tick 3")
    shown, counted = _shown_and_counted(page)
    assert shown > first  # lines arrived live ...
    assert counted == f"{shown} lines"  # ... and were counted
    # the step ends: the page moves on to the next one
    expect(page.locator("#log-title")).to_have_text("default / after", timeout=60_000)
    expect(page.locator("#log")).to_contain_text("the second step", timeout=60_000)
    assert site.site.finished(number)["status"] == "success"
    expect(page.locator("#build-head")).to_contain_text(re.compile("success", re.I))


def test_the_live_log_stops_when_the_session_ends(
    page: Page, site: WebSite, testenv: LocalEnv
) -> None:
    sign_in(page, site)
    site.push(TICKER.format(image=testenv.image, lines=400, pause="0.25"), "a long build")
    number = site.latest()
    page.goto(site.url(f"/{SLUG}/{number}/1/2"))
    expect(page.locator("#log")).to_contain_text("tick 2 of 400", timeout=60_000)
    other = page.context.new_page()  # another tab of the same browser signs out
    other.goto(site.url("/account"))
    other.get_by_role("button", name="Sign out").click()
    expect(other).to_have_url(re.compile("/login"))
    expect(page.locator("#log-state")).to_contain_text("signed out", timeout=30_000)
    site.site.api("DELETE", f"/repos/{SLUG}/builds/{number}")  # no need to wait for the end
