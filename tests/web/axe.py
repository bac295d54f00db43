"""axe-core (tests/web/assets/axe.min.js, committed) run inside a page: the WCAG 2.1 A/AA and
best-practice rules, and the violations whose impact is serious or critical."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

ASSET = Path(__file__).with_name("assets") / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
"""The rule sets checked."""
BLOCKING = {"serious", "critical"}


@cache
def _source() -> str:
    return ASSET.read_text(encoding="utf-8")


def _inject(page: Page) -> None:
    # evaluate, not a <script> tag: the pages' Content-Security-Policy allows only 'self'.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())


def rules(page: Page) -> list[str]:
    """The ids of the rules axe checks (TAGS), sorted."""
    _inject(page)
    found: list[str] = page.evaluate(
        "(tags) => axe.getRules(tags).map((rule) => rule.ruleId).sort()", TAGS
    )
    return found


def violations(page: Page) -> list[dict[str, Any]]:
    """axe's serious and critical violations on the page as it is now."""
    _inject(page)
    result: dict[str, Any] = page.evaluate(
        """async (tags) => await axe.run(document, {
            runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})""",
        TAGS,
    )
    return [v for v in result["violations"] if v.get("impact") in BLOCKING]


def describe(found: list[dict[str, Any]]) -> str:
    """One line per violation: rule, impact, and the first offending elements."""
    lines = []
    for violation in found:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return "\n".join(lines)
