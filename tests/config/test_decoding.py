"""UTF-8 decoding with the position of a bad byte, and offsets to line and column."""

from __future__ import annotations

import pytest

from conveyor.config.decoding import decode, locate


@pytest.mark.parametrize(
    ("text", "index", "expected"),
    [
        ("abc", 0, (1, 1)),
        ("abc", 2, (1, 3)),
        ("a\nbc", 3, (2, 2)),
        ("a\r\nbc", 4, (2, 2)),
        ("a\rb", 2, (2, 1)),
        ("é\nxé", 4, (2, 3)),
    ],
)
def test_locate(text: str, index: int, expected: tuple[int, int]) -> None:
    assert locate(text, index) == expected


def test_decode_good_and_bom() -> None:
    assert decode("a: é".encode()).text == "a: é"
    assert decode(b"\xef\xbb\xbfa").text == "a"


@pytest.mark.parametrize(
    ("data", "line", "column", "needle"),
    [
        (b"a: \xff\n", 1, 4, "0xff"),
        (b"a\nb\nc\xc3", 3, 2, "0xc3"),
        ("é\n".encode() + b"xx\x80", 2, 3, "0x80"),
        (b"\xff\xfea\x00", 1, 1, "UTF-16"),
    ],
)
def test_decode_reports_the_bad_byte(data: bytes, line: int, column: int, needle: str) -> None:
    decoded = decode(data)
    assert decoded.problem is not None
    assert needle in decoded.problem
    assert (decoded.line, decoded.column) == (line, column)
