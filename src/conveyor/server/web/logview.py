"""A step's log as HTML lines (`<div class="line" id="L{step}-{pos}">` with a numbered link to
itself), the same for stored lines in the page and live lines in the stream, the ANSI style
carried from each line to the next; the resume point of a live log (`POS` or `POS:STYLE`: the
last line shown and the style the next one starts in); image pull progress as list items that
replace each other by id."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

from markupsafe import Markup, escape

from conveyor.server.api.stream import last_event
from conveyor.server.logstore import Line
from conveyor.server.web.ansi import PLAIN, Style, parse_style, render_line, style_token


def line_html(step: int, line: Line, style: Style = PLAIN) -> tuple[str, Style]:
    """One log line, starting in `style`: its number (a link to its own anchor) and its
    rendered text; and the style the next line starts in."""
    anchor = f"L{step}-{line.pos}"
    text, style = render_line(line.out, style)
    return (
        f'<div class="line" id="{anchor}"><a class="n" href="#{anchor}">{line.pos + 1}</a>'
        f'<span class="t">{text}</span></div>'
    ), style


def resume_id(pos: int, style: Style) -> str:
    """The resume point after line `pos`: `POS`, or `POS:STYLE` when the next line starts in a
    style other than the default."""
    token = style_token(style)
    return f"{pos}:{token}" if token else str(pos)


def parse_resume(text: str | None) -> tuple[int, Style]:
    """A resume point (`resume_id`'s text) as the position and the style; (-1, the default
    style) for a missing or malformed one: start from the beginning."""
    digits, _, token = (text or "").partition(":")
    pos = last_event(digits)
    return (pos, parse_style(token)) if pos >= 0 else (-1, PLAIN)


class RenderedLog:
    """The stored lines of a step as HTML, rendered one by one while the page streams them;
    once they have all been iterated, `resume` is the resume point after the last one (so a
    template reads it after the lines)."""

    def __init__(self, step: int, lines: Iterable[Line]) -> None:
        self.step = step
        self.lines = lines
        self.resume = "-1"

    def __iter__(self) -> Iterator[Markup]:
        style, last = PLAIN, -1
        for line in self.lines:
            html, style = line_html(self.step, line, style)
            last = line.pos
            yield Markup(html)  # noqa: S704 - render_line escapes the text
        self.resume = resume_id(last, style)


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
