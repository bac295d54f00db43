"""A whole Conveyor site for the browser tests: a real `conveyor server` process with a user who
has a password, a real `conveyor agent` process, and acme/widgets: a git repository whose
bare copy's push hook posts a signed webhook to the server, as a forge would."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.agent.live_support import SLUG, Site, admin_session, agent_process
from tests.server.conftest import ADMIN_TOKEN, RPC_SECRET, LiveServer, free_port
from tests.server.git_hook import install_push_hook
from tests.server.git_support import make_repo

LOGIN = "admin"
PASSWORD = "browser-test-password-7f3a9c"
"""The signed-in user's password: it must never reach a page."""
QUICK = """\
kind: pipeline
type: docker
name: default
steps:
- name: greet
  image: {image}
  commands:
  - printf '\\033[32mgreen\\033[0m hello from the browser tests\\n'
"""
"""A pipeline that succeeds at once, with a coloured line."""
TICKER = """\
kind: pipeline
type: docker
name: default
steps:
- name: tick
  image: {image}
  commands:
  - for i in $(seq 1 {lines}); do echo "tick $i of {lines}"; sleep {pause}; done
"""
"""A step printing `tick 1 of N` to `tick N of N`, one every `pause` seconds."""


@dataclass
class WebSite:
    """The server process, the API as the admin, and the repository acme/widgets."""

    server: LiveServer
    site: Site
    env: dict[str, str]

    @property
    def base(self) -> str:
        """The server's URL."""
        return self.server.url

    def url(self, path: str) -> str:
        """An absolute URL of the server."""
        return f"{self.server.url}{path}"

    def push(self, pipeline: str, message: str = "change") -> None:
        """Commit `pipeline` as .drone.yml and push: the hook starts a build."""
        self.site.repo.commit({".drone.yml": pipeline}, message)
        self.site.repo.push("main")

    def latest(self) -> int:
        """The number of the repository's newest build."""
        builds: list[dict[str, Any]] = self.site.api("GET", f"/repos/{SLUG}/builds")
        assert builds, "no build yet"
        return max(int(build["number"]) for build in builds)

    def restart(self) -> None:
        """Stop the server (SIGTERM) and start it again on the same port and database."""
        self.server.kill(signal.SIGTERM)
        self.server.start(self.env)


def server_env() -> dict[str, str]:
    """The environment of the test server: the admin with a token and a password."""
    return {
        "CONVEYOR_USER_CREATE": (
            f"username:{LOGIN},admin:true,token:{ADMIN_TOKEN},password:{PASSWORD}"
        ),
        "CONVEYOR_RPC_SECRET": RPC_SECRET,
    }


@contextmanager
def web_site(root: Path, database_url: str, first_pipeline: str) -> Iterator[WebSite]:
    """The server, an agent and acme/widgets (with `first_pipeline`, not built yet)."""
    repo = make_repo(root / "git", {".drone.yml": first_pipeline})
    server = LiveServer(
        url=f"http://127.0.0.1:{free_port()}",
        token=ADMIN_TOKEN,
        data_dir=root / "data",
        database_url=database_url,
        log=root / "server.log",
    )
    env = server_env()
    with ExitStack() as stack:
        server.start(env)
        stack.callback(server.kill, signal.SIGTERM)
        site = Site(base=server.url, http=admin_session(), repo=repo)
        site.api("POST", f"/repos/{SLUG}", json={"git_http_url": repo.url})
        hook = site.api("GET", f"/repos/{SLUG}/hook")
        install_push_hook(repo.bare, f"{server.url}/hook", str(hook["secret"]), SLUG)
        stack.enter_context(
            agent_process(server.url, root / "agent-state", root / "agent.log", "--name", "a1")
        )
        yield WebSite(server=server, site=site, env=env)


def sign_in(page: Page, site: WebSite, login: str = LOGIN, password: str = PASSWORD) -> None:
    """Sign in through the form; ends on the repositories page."""
    page.goto(site.url("/login"))
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill(password)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    expect(page).not_to_have_url(f"{site.base}/login")
