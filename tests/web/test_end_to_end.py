"""Issue 11's end-to-end test in a real browser: sign in, add a registry credential and a secret
with the forms, push a commit whose pipeline pulls a private image with that credential, watch
the pull and then the log lines arrive live while the step still runs, check that no password or
secret value reached the browser, and cancel a second, long build from its page."""

from __future__ import annotations

import base64
import contextlib
import re
from pathlib import Path

import docker
import docker.errors
import pytest
from playwright.sync_api import Page, expect

from tests.agent.live_support import SLUG
from tests.conftest import LocalEnv
from tests.web.browser import Received
from tests.web.conftest import SiteFactory, screenshot
from tests.web.pages import add_registry_credential, add_secret, press, step_of
from tests.web.site import PASSWORD, TICKER, WebSite, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.docker]

SECRET_VALUE = "sekret-value-6b1e0d2c"
LINES = 40
PRIVATE = """\
kind: pipeline
type: docker
name: default
steps:
- name: tick
  image: {image}
  pull: always
  environment:
    TOKEN: {{from_secret: token}}
  commands:
  - echo "the token is $TOKEN"
  - for i in $(seq 1 {lines}); do echo "tick $i of {lines}"; sleep 0.25; done
image_pull_secrets: [registry_login]
"""
"""Pulls a private image (always: other tests on this engine may have cached it) with the
credential of the registry form; prints a masked secret."""


def _watch_the_build(page: Page, site: WebSite, image: str) -> int:
    """Push the private pipeline with the repository's builds page open; open the new build."""
    page.goto(site.url(f"/{SLUG}"))
    site.push(PRIVATE.format(image=image, lines=LINES), "private image")
    number = site.latest()
    link = page.locator(f"a[href$='/{SLUG}/{number}']").first
    expect(link).to_be_visible()  # the new build appears on the open builds page
    link.click()
    expect(page).to_have_url(re.compile(f"/{SLUG}/{number}$"))
    page.locator(f"a[href$='/{SLUG}/{number}/1/2']").first.click()  # the step "tick"
    expect(page).to_have_url(re.compile(f"/{SLUG}/{number}/1/2"))
    return number


def _lines_arrive_while_running(page: Page, site: WebSite, number: int) -> None:
    main = page.locator("main")
    expect(main).to_contain_text(f"tick 3 of {LINES}", timeout=60_000)
    step = step_of(site, number, "tick")
    shown = main.inner_text()
    assert step["status"] == "running", step
    assert f"tick {LINES} of {LINES}" not in shown
    expect(main).to_contain_text(f"tick {LINES} of {LINES}", timeout=60_000)
    expect(main).to_contain_text("the token is ********")


def _cancel_a_long_build(page: Page, site: WebSite, image: str) -> None:
    site.push(TICKER.format(image=image, lines=600, pause="0.5"), "a long build")
    number = site.latest()
    page.goto(site.url(f"/{SLUG}/{number}/1/2"))
    expect(page.locator("main")).to_contain_text("tick 2 of 600", timeout=60_000)
    press(page, "cancel")
    build = site.site.wait(number, lambda b: b["status"] not in {"pending", "running"}, 60.0)
    assert build["status"] == "killed", build
    expect(page.locator("main")).to_contain_text(re.compile("killed|cancelled", re.I))


def _forget_local_copy(image: str) -> None:
    client = docker.from_env()
    try:
        with contextlib.suppress(docker.errors.ImageNotFound, docker.errors.APIError):
            client.images.remove(image)
    finally:
        client.close()


def test_sign_in_add_a_credential_and_watch_a_private_build_live(
    received: Received, make_site: SiteFactory, testenv: LocalEnv, db_url: str, tmp_path: Path
) -> None:
    page = received.page
    image = f"{testenv.auth_registry}/ci-test/remote-only:1"
    _forget_local_copy(image)  # so that the step really pulls it
    with make_site(db_url) as site:
        sign_in(page, site)
        add_registry_credential(
            page,
            site,
            host=testenv.auth_registry,
            username=testenv.user,
            password=testenv.password,
            name="registry_login",
        )
        expect(page.locator("main")).to_contain_text("registry_login")
        add_secret(page, site, "token", SECRET_VALUE)
        number = _watch_the_build(page, site, image)
        expect(page.locator("#pulls")).to_contain_text(image)
        _lines_arrive_while_running(page, site, number)
        build = site.site.finished(number)
        assert build["status"] == "success", build
        screenshot(page, "build-private-image", "light", tmp_path)
        auth = base64.b64encode(f"{testenv.user}:{testenv.password}".encode()).decode()
        received.assert_never_shown(PASSWORD, SECRET_VALUE, testenv.password, auth)
        _cancel_a_long_build(page, site, testenv.image)
        received.assert_never_shown(PASSWORD, SECRET_VALUE, testenv.password, auth)
    assert PASSWORD not in site.server.log.read_text()
