"""Headless Chromium for the browser tests: where it is, launching it with Playwright, and a
recorder of everything a page received (response bodies and Server-Sent Events messages).

Debian's `chromium` (installed by scripts/testenv/up.sh) is driven through Playwright's
`executable_path`; Playwright's own browser download is never used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Request, StorageState

CHROMIUM = Path(os.environ.get("CONVEYOR_TEST_CHROMIUM", "/usr/bin/chromium"))
"""The browser the tests drive."""

SSE_RECORDER = """
(() => {
  const seen = (data) => {
    if (typeof data === "string" && window.conveyorSseSeen) window.conveyorSseSeen(data);
  };
  const add = EventSource.prototype.addEventListener;
  EventSource.prototype.addEventListener = function (type, listener, options) {
    const wrapped = function (event) {
      if (event) seen(event.data);
      return typeof listener === "function"
        ? listener.call(this, event)
        : listener.handleEvent(event);
    };
    return add.call(this, type, wrapped, options);
  };
  const onmessage = Object.getOwnPropertyDescriptor(EventSource.prototype, "onmessage");
  Object.defineProperty(EventSource.prototype, "onmessage", {
    get() { return onmessage.get.call(this); },
    set(handler) {
      onmessage.set.call(this, handler && function (event) {
        seen(event.data);
        return handler.call(this, event);
      });
    },
  });
})();
"""
"""An init script: every SSE message's data that a listener of the page sees is handed to
`window.conveyorSseSeen` (a stream's body is not available to Playwright while it is open)."""


def require_chromium() -> Path:
    """The Chromium binary; fails under CI (which must run these tests), skips elsewhere."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    reason = f"{CHROMIUM} is missing: run `bash scripts/testenv/up.sh` (it installs chromium)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def launch(playwright: Playwright) -> Browser:
    """Headless Debian Chromium."""
    return playwright.chromium.launch(executable_path=str(require_chromium()), headless=True)


DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


def new_context(
    browser: Browser,
    *,
    scheme: str = "light",
    viewport: dict[str, int] | None = None,
    state: StorageState | None = None,
) -> BrowserContext:
    """A fresh context (own cookies unless `state` is given) preferring colour `scheme`."""
    size = viewport or DESKTOP
    context = browser.new_context(
        viewport={"width": size["width"], "height": size["height"]},
        color_scheme="dark" if scheme == "dark" else "light",
        storage_state=state,
    )
    context.set_default_timeout(20_000)
    return context


@dataclass
class Received:
    """Every body the page's requests received (text, when each finished) and SSE messages."""

    page: Page
    bodies: dict[str, list[str]] = field(default_factory=dict)
    sse: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def attach(self) -> None:
        """Start recording (call before the first navigation)."""
        self.page.expose_function("conveyorSseSeen", self._sse_seen)
        self.page.add_init_script(SSE_RECORDER)
        self.page.on("requestfinished", self._finished)

    def _sse_seen(self, data: str) -> None:
        self.sse.append(data)

    def _finished(self, request: Request) -> None:
        response = request.response()
        if response is None or 300 <= response.status < 400:
            return
        try:
            body = response.body().decode("utf-8", "replace")
        except Exception as exc:  # noqa: BLE001 - a body the browser dropped is noted, not lost
            self.failures.append(f"{request.url}: {exc}")
            return
        self.bodies.setdefault(request.url, []).append(body)

    def everything(self) -> str:
        """The page's HTML now, every finished body and every SSE message, as one text."""
        parts = [self.page.content(), *self.sse]
        for bodies in self.bodies.values():
            parts.extend(bodies)
        return "\n".join(parts)

    def assert_never_shown(self, *values: str) -> None:
        """None of `values` (passwords, secret values) reached the page in any form."""
        text = self.everything()
        for value in values:
            assert value, "an empty value cannot be checked"
            assert value not in text, "a secret value reached the browser"
        assert self.bodies, "no response was recorded"
