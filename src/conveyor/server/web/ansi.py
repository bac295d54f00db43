"""One log line with ANSI escape codes to HTML: SGR colours (16, 256 and truecolour, the latter
mapped to the nearest of the 256, since the pages' Content-Security-Policy allows no inline
style), bold, dim, italic, underline and reset become `<span class>`; text is HTML-escaped;
a carriage return starts the line over (progress bars show their last state); every other
escape or control sequence is dropped. Pure. As in a terminal, a style lasts until it is
reset, also into the next lines: `render_line` takes the style a line starts in and returns the
one it ends in, and `style_token`/`parse_style` write that state as a short text (a live
stream's resume point carries it)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace
from functools import lru_cache

TOKEN = re.compile(
    r"\x1b\[([0-?]*)[ -/]*([@-~])"  # CSI: parameters, intermediates, final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC (window titles, links), to BEL or ST
    r"|\x1b[ -/]*[0-~]?"  # any other escape
    r"|\r"
)
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
"""C0 controls and DEL left after the escapes (a tab is kept)."""

BASE16 = (
    "#2e3436", "#ef5350", "#66bb6a", "#e5c07b", "#61afef", "#c678dd", "#56b6c2", "#d3d7cf",
    "#767e88", "#ff7b72", "#8ae28a", "#f2d68a", "#8cc8ff", "#e0a3f0", "#7fd8e0", "#ffffff",
)  # fmt: skip
"""Colours 0-15, chosen to read well on the log pane's dark background."""
CUBE = (0, 95, 135, 175, 215, 255)


@dataclass(frozen=True, slots=True, kw_only=True)
class Style:
    """The SGR state: palette indexes (None: default) and attributes."""

    fg: int | None = None
    bg: int | None = None
    bold: bool = False
    dim: bool = False
    italic: bool = False
    underline: bool = False

    def classes(self) -> str:
        """The CSS classes of this style ('' for the default)."""
        names = [] if self.fg is None else [f"f{self.fg}"]
        names += [] if self.bg is None else [f"b{self.bg}"]
        flags = (
            (self.bold, "ansi-b"),
            (self.dim, "ansi-d"),
            (self.italic, "ansi-i"),
            (self.underline, "ansi-u"),
        )
        names += [name for on, name in flags if on]
        return " ".join(names)


PLAIN = Style()
ATTRIBUTES = {
    1: {"bold": True},
    2: {"dim": True},
    3: {"italic": True},
    4: {"underline": True},
    22: {"bold": False, "dim": False},
    23: {"italic": False},
    24: {"underline": False},
    39: {"fg": None},
    49: {"bg": None},
}


def render_line(text: str, style: Style = PLAIN) -> tuple[str, Style]:
    """`text` (one line, its newline optional) as HTML, starting in `style`; and the style in
    force at its end (where the next line starts)."""
    text = text.removesuffix("\n").removesuffix("\r")
    if "\x1b" not in text and "\r" not in text:  # most lines: no escape at all
        if style == PLAIN:
            return html.escape(CONTROLS.sub("", text), quote=False), style
        return _span(CONTROLS.sub("", text), style), style
    parts: list[str] = []
    start = 0
    for match in TOKEN.finditer(text):
        _emit(parts, text[start : match.start()], style)
        start = match.end()
        if match.group(0) == "\r":
            parts.clear()
        elif match.group(2) == "m":
            style = apply_sgr(style, match.group(1))
    _emit(parts, text[start:], style)
    return "".join(parts), style


def _emit(parts: list[str], text: str, style: Style) -> None:
    text = CONTROLS.sub("", text)
    if text:
        parts.append(_span(text, style))


def _span(text: str, style: Style) -> str:
    """`text` (no controls) escaped, in a span of `style`'s classes unless it is the default."""
    if not text:
        return ""
    escaped = html.escape(text, quote=False)
    classes = _classes(style)
    return f'<span class="{classes}">{escaped}</span>' if classes else escaped


@lru_cache(maxsize=1024)
def _classes(style: Style) -> str:
    return style.classes()


@lru_cache(maxsize=4096)
def apply_sgr(style: Style, params: str) -> Style:
    """`style` after the SGR sequence with `params` (e.g. `1;38;5;208`); cached, since a log
    uses the same few sequences over and over."""
    if any(ch not in "0123456789;:" for ch in params):
        return style  # private sequences (`?`, `>`) are not SGR
    codes = [int(part) if part else 0 for part in re.split("[;:]", params)]
    i = 0
    while i < len(codes):
        code = codes[i]
        i += 1
        if code == 0:
            style = PLAIN
        elif code in ATTRIBUTES:
            style = replace(style, **ATTRIBUTES[code])  # type: ignore[arg-type]
        elif 30 <= code <= 37 or 90 <= code <= 97:
            style = replace(style, fg=code - 30 if code < 90 else code - 82)
        elif 40 <= code <= 47 or 100 <= code <= 107:
            style = replace(style, bg=code - 40 if code < 100 else code - 92)
        elif code in {38, 48}:
            colour, i = _extended(codes, i)
            if colour is not None and code == 38:
                style = replace(style, fg=colour)
            elif colour is not None:
                style = replace(style, bg=colour)
    return style


TOKEN_SYNTAX = re.compile(r"(?:f(\d{1,3}))?(?:g(\d{1,3}))?(b?)(d?)(i?)(u?)")
"""`style_token`'s text: `f` foreground, `g` background, then bold, dim, italic, underline."""


def style_token(style: Style) -> str:
    """`style` as a short text ('' for the default), e.g. `f1g4bu`; `parse_style` reads it."""
    token = "" if style.fg is None else f"f{style.fg}"
    token += "" if style.bg is None else f"g{style.bg}"
    flags = ((style.bold, "b"), (style.dim, "d"), (style.italic, "i"), (style.underline, "u"))
    return token + "".join(letter for on, letter in flags if on)


def parse_style(token: str) -> Style:
    """The style `style_token` wrote; the default style for any other text."""
    found = TOKEN_SYNTAX.fullmatch(token)
    if found is None:
        return PLAIN
    fg, bg = (None if part is None else int(part) for part in found.group(1, 2))
    if (fg is not None and fg > 255) or (bg is not None and bg > 255):
        return PLAIN
    bold, dim, italic, underline = (bool(flag) for flag in found.group(3, 4, 5, 6))
    return Style(fg=fg, bg=bg, bold=bold, dim=dim, italic=italic, underline=underline)


def _extended(codes: list[int], i: int) -> tuple[int | None, int]:
    """The colour after 38/48 (`5;N` or `2;R;G;B`) and the index after it."""
    kind = codes[i] if i < len(codes) else -1
    if kind == 5 and i + 1 < len(codes):
        index = codes[i + 1]
        return (index if index <= 255 else None), i + 2
    if kind == 2 and i + 3 < len(codes):
        red, green, blue = (min(value, 255) for value in codes[i + 1 : i + 4])
        return nearest_256(red, green, blue), i + 4
    return None, len(codes)


def _level(value: int) -> int:
    return min(range(6), key=lambda k: abs(CUBE[k] - value))


def nearest_256(red: int, green: int, blue: int) -> int:
    """The xterm-256 colour (cube or grey ramp) nearest to an RGB colour."""
    r, g, b = _level(red), _level(green), _level(blue)
    cube = (CUBE[r], CUBE[g], CUBE[b])
    grey_step = min(23, max(0, round(((red + green + blue) / 3 - 8) / 10)))
    grey = 8 + 10 * grey_step

    def distance(rgb: tuple[int, int, int]) -> int:
        return sum((x - y) ** 2 for x, y in zip(rgb, (red, green, blue), strict=True))

    if distance((grey, grey, grey)) < distance(cube):
        return 232 + grey_step
    return 16 + 36 * r + 6 * g + b


def palette() -> list[str]:
    """The 256 colours as `#rrggbb`."""
    colours = list(BASE16)
    colours += [f"#{CUBE[i // 36]:02x}{CUBE[i // 6 % 6]:02x}{CUBE[i % 6]:02x}" for i in range(216)]
    colours += ["#" + f"{8 + 10 * i:02x}" * 3 for i in range(24)]
    return colours


def palette_css() -> str:
    """static/ansi.css: a class per colour, foreground `fN` and background `bN`."""
    lines = ["/* Generated by conveyor.server.web.ansi.palette_css(); do not edit. */"]
    for index, colour in enumerate(palette()):
        lines.append(f".log .f{index} {{ color: {colour}; }}")
        lines.append(f".log .b{index} {{ background-color: {colour}; }}")
    return "\n".join(lines) + "\n"
