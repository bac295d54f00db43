"""The one ANSI-to-HTML renderer: SGR colours (16, 256, truecolour), attributes and reset,
HTML escaping, carriage returns, every other control sequence dropped, and the style carried
from one line to the next (also written as a token and read back)."""

from __future__ import annotations

from pathlib import Path

import pytest

import conveyor.server.web as web_package
from conveyor.server.web.ansi import (
    PLAIN,
    Style,
    nearest_256,
    palette,
    palette_css,
    parse_style,
    render_line,
    style_token,
)


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("plain\n", "plain"),
        ("a < b & c > d \"q\" 'q'", "a &lt; b &amp; c &gt; d \"q\" 'q'"),
        ("\x1b[31mred\x1b[0m after", '<span class="f1">red</span> after'),
        (
            "\x1b[1;32mok\x1b[22m thin",
            '<span class="f2 ansi-b">ok</span><span class="f2"> thin</span>',
        ),
        ("\x1b[91;44mhi", '<span class="f9 b4">hi</span>'),
        ("\x1b[103mbg", '<span class="b11">bg</span>'),
        ("\x1b[38;5;208morange\x1b[39m x", '<span class="f208">orange</span> x'),
        ("\x1b[48;5;22mbg\x1b[49m", '<span class="b22">bg</span>'),
        ("\x1b[38;2;255;0;0mtrue", '<span class="f196">true</span>'),
        ("\x1b[38:2:0:0:255mcolon", '<span class="f21">colon</span>'),
        ("\x1b[2;3;4mdiu\x1b[23;24m", '<span class="ansi-d ansi-i ansi-u">diu</span>'),
        ("\x1b[mreset", "reset"),
        ("\x1b[1mbold\x1b[mplain", '<span class="ansi-b">bold</span>plain'),
        ("\x1b[38;5;999mbad index", "bad index"),
        ("\x1b[38;5mshort", "short"),
    ],
)
def test_sgr_to_spans(text: str, html: str) -> None:
    assert render_line(text)[0] == html


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("\x1b[2Kcleared\x1b[1G", "cleared"),  # erase line, cursor moves
        ("\x1b]0;window title\x07after", "after"),  # OSC to BEL
        ("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8 hyperlink to ST
        ("\x1b[?25lhidden cursor\x1b[?25h", "hidden cursor"),
        ("bell\x07 back\x08space", "bell backspace"),
        ("tab\tkept", "tab\tkept"),
        ("\x1b(Bcharset", "charset"),
        ("10%\r50%\r100%\r\n", "100%"),
        ("\x1b[32m10%\r100%", '<span class="f2">100%</span>'),  # the style carries over
        ("lone escape \x1b", "lone escape "),
        ("\x1b<script>", "script&gt;"),
    ],
)
def test_other_controls_are_dropped(text: str, html: str) -> None:
    assert render_line(text)[0] == html


def test_no_markup_can_come_through() -> None:
    hostile = '<img src=x onerror="alert(1)">\x1b[31m</span><script>x</script>'
    out, _ = render_line(hostile)
    assert "<img" not in out
    assert "<script" not in out
    assert out.count("<span") == out.count("</span>") == 1


def _render_all(texts: list[str]) -> list[str]:
    style, out = PLAIN, []
    for text in texts:
        html, style = render_line(text, style)
        out.append(html)
    return out


def test_a_style_lasts_into_the_next_lines_until_reset() -> None:
    texts = ["\x1b[1;33mwarning:\n", "still <yellow>\n", "\tand here\x1b[0m back\n", "plain\n"]
    assert _render_all(texts) == [
        '<span class="f3 ansi-b">warning:</span>',
        '<span class="f3 ansi-b">still &lt;yellow&gt;</span>',
        '<span class="f3 ansi-b">\tand here</span> back',
        "plain",
    ]
    assert render_line("\x1b[31mred, no reset\n") == (
        '<span class="f1">red, no reset</span>',
        Style(fg=1),
    )
    assert render_line("\x1b[31mred\x1b[0m\n")[1] == PLAIN
    assert render_line("\n", Style(fg=1)) == ("", Style(fg=1))  # an empty line keeps it
    assert render_line("50%\r100%\n", Style(bold=True))[0] == '<span class="ansi-b">100%</span>'


@pytest.mark.parametrize(
    "style",
    [
        PLAIN,
        Style(fg=1),
        Style(bg=255),
        Style(fg=208, bg=0, bold=True, dim=True, italic=True, underline=True),
        Style(underline=True),
    ],
)
def test_a_style_token_reads_back(style: Style) -> None:
    token = style_token(style)
    assert parse_style(token) == style
    assert all(ch.isalnum() for ch in token)


@pytest.mark.parametrize("token", ["f256", "x", "f1f2", "ub", "f-1", "f1 ", "g1000", "<b>"])
def test_a_malformed_style_token_is_the_default_style(token: str) -> None:
    assert parse_style(token) == PLAIN


def test_truecolour_maps_to_the_nearest_of_256() -> None:
    assert nearest_256(0, 0, 0) == 16
    assert nearest_256(255, 255, 255) == 231
    assert nearest_256(128, 128, 128) == 244  # a grey from the ramp
    assert nearest_256(95, 135, 175) == 16 + 36 * 1 + 6 * 2 + 3
    colours = palette()
    assert len(colours) == 256
    assert colours[16] == "#000000"
    assert colours[231] == "#ffffff"
    assert colours[232] == "#080808"
    assert colours[255] == "#eeeeee"


def test_the_committed_stylesheet_is_the_generated_one() -> None:
    path = Path(web_package.__file__).parent / "static" / "ansi.css"
    assert path.read_text() == palette_css()
    assert ".log .f196 { color: #ff0000; }" in palette_css()
