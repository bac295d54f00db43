"""A step's log as HTML lines (`<div class="line" id="L{step}-{pos}">` with a numbered link to
itself), the same for stored lines in the page and live lines in the stream; image pull
progress as list items that replace each other by id."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

from markupsafe import Markup, escape

from conveyor.server.logstore import Line
from conveyor.server.web.ansi import render_line


def line_html(step: int, line: Line) -> str:
    """One log line: its number (a link to its own anchor) and its rendered text."""
    anchor = f"L{step}-{line.pos}"
    return (
        f'<div class="line" id="{anchor}"><a class="n" href="#{anchor}">{line.pos + 1}</a>'
        f'<span class="t">{render_line(line.out)}</span></div>'
    )


def log_html(step: int, lines: Iterable[Line]) -> Iterator[Markup]:
    """The lines of a step, one by one (the page streams them)."""
    for line in lines:
        yield Markup(line_html(step, line))  # noqa: S704 - render_line escapes the text


def _size(value: object) -> str:
    if not isinstance(value, int) or value < 0:
        return ""
    if value >= 100_000:
        return f"{value / 1_000_000:.1f} MB"
    return f"{value / 1000:.0f} kB" if value >= 1000 else f"{value} B"


def pull_html(step: int, data: Any) -> str:
    """One layer's pull progress (`image layer: status current/total`) as an `<li>` whose id
    is the same for every update of that layer."""
    facts = data if isinstance(data, dict) else {}
    image, layer = str(facts.get("image", "")), str(facts.get("layer", ""))
    key = hashlib.sha256(f"{image}\x00{layer}".encode()).hexdigest()[:16]
    current, total = _size(facts.get("current")), _size(facts.get("total"))
    amount = f" {current} of {total}" if current and total else ""
    where = f"{image} {layer}".strip()
    text = f"{where}: {facts.get('status', '')}{amount}"
    return f'<li id="pull-{step}-{key}">{escape(text)}</li>'
