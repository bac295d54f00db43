"""Browser test fixtures: one headless Chromium per session, a fresh page per test that records
what it received, and whole sites (server + agent + repository with a push hook)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, StorageState, sync_playwright

from tests.agent.live_support import SLUG
from tests.conftest import LocalEnv
from tests.server.conftest import db_url, postgres_admin_url, postgres_template
from tests.web.browser import Received, launch, new_context, require_chromium
from tests.web.site import QUICK, WebSite, sign_in, web_site

__all__ = ["db_url", "postgres_admin_url", "postgres_template"]

SiteFactory = Callable[..., AbstractContextManager[WebSite]]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver, started once (after checking that Chromium is there)."""
    require_chromium()
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Debian Chromium for the whole session."""
    launched = launch(playwright)
    yield launched
    launched.close()


@pytest.fixture(params=["light"])
def color_scheme(request: pytest.FixtureRequest) -> str:
    """The colour scheme the page prefers (tests parametrize it for light and dark)."""
    scheme: str = request.param
    return scheme


@pytest.fixture
def received(browser: Browser, color_scheme: str) -> Iterator[Received]:
    """A new page (desktop size, its own cookies) recording every body it receives."""
    context = new_context(browser, scheme=color_scheme)
    page = context.new_page()
    recorder = Received(page=page)
    recorder.attach()
    yield recorder
    context.close()


@pytest.fixture
def page(received: Received) -> Page:
    """The test's page."""
    return received.page


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database (the server migrates it at start)."""
    return f"sqlite:///{tmp_path / 'conveyor.sqlite'}"


@pytest.fixture
def make_site(tmp_path: Path, testenv: LocalEnv) -> SiteFactory:
    """`make_site(database_url, first_pipeline=QUICK)`: a context manager for a whole site."""

    def factory(
        database_url: str, first_pipeline: str | None = None
    ) -> AbstractContextManager[WebSite]:
        pipeline = first_pipeline or QUICK.format(image=testenv.image)
        return web_site(tmp_path / "site", database_url, pipeline)

    return factory


@pytest.fixture
def site(make_site: SiteFactory, sqlite_url: str) -> Iterator[WebSite]:
    """A whole site on SQLite."""
    with make_site(sqlite_url) as made:
        yield made


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "web"


def screenshot(page: Page, name: str, scheme: str, tmp_path: Path) -> Path:
    """A full-page screenshot; written to docs/web/NAME-SCHEME.png when
    CONVEYOR_UPDATE_SCREENSHOTS=1, else into the test's temporary directory."""
    folder = SCREENSHOTS if os.environ.get("CONVEYOR_UPDATE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{scheme}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


BROKEN = """\
kind: pipeline
type: docker
name: default
steps:
- name: broken
  image: {image}
  pull: sometimes
  commands: [true]
"""
"""A pipeline that fails its lint (an unknown pull policy)."""


@pytest.fixture(scope="module")
def shared_site(tmp_path_factory: pytest.TempPathFactory, testenv: LocalEnv) -> Iterator[WebSite]:
    """One site for the read-only page tests: a successful build, a build whose pipeline failed
    its lint, a secret and a registry credential (added with the API)."""
    root = tmp_path_factory.mktemp("shared-site")
    url = f"sqlite:///{root / 'conveyor.sqlite'}"
    first = QUICK.format(image=testenv.image) + "image_pull_secrets: [registry_login]\n"
    with web_site(root, url, first) as made:
        api = made.site
        api.api("POST", f"/repos/{SLUG}/secrets", json={"name": "token", "data": "t0ken-value"})
        api.api(
            "POST",
            f"/repos/{SLUG}/secrets",
            json={"name": "registry_login", "data": testenv.docker_auth_config},
        )
        number = api.build()
        assert api.finished(number)["status"] == "success"
        made.push(BROKEN.format(image=testenv.image), "a broken pipeline")
        api.finished(made.latest())
        yield made


@pytest.fixture(scope="module")
def signed_in(browser: Browser, shared_site: WebSite) -> StorageState:
    """The cookies of a signed-in session on the shared site."""
    context = new_context(browser)
    sign_in(context.new_page(), shared_site)
    state = context.storage_state()
    context.close()
    return state
