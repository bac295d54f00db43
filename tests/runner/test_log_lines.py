"""Output bytes to masked lines: split reads, split characters, split secrets, long lines."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conveyor.engine.contract import LogStream
from conveyor.runner.log_lines import LONGEST_LINE, LineSplitter
from conveyor.secrets.masking import Masker

OUT, ERR = LogStream.STDOUT, LogStream.STDERR


def collect(
    masker: Masker | None, chunks: list[tuple[LogStream, bytes]]
) -> list[tuple[LogStream, str]]:
    got: list[tuple[LogStream, str]] = []
    splitter = LineSplitter(
        masker, lambda stream, lines: got.extend((stream, line) for line in lines)
    )
    for stream, data in chunks:
        splitter.feed(stream, data)
    splitter.close()
    return got


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [
        ([(OUT, b"a\nb\n")], [(OUT, "a"), (OUT, "b")]),
        ([(OUT, b"no newline")], [(OUT, "no newline")]),
        ([(OUT, b"par"), (OUT, b"tial\n")], [(OUT, "partial")]),
        ([(OUT, b"\xc3"), (OUT, b"\xa9\n")], [(OUT, "é")]),
        ([(OUT, b"bad \xff byte\n")], [(OUT, "bad \ufffd byte")]),
        ([(OUT, b"o1 "), (ERR, b"e1\n"), (OUT, b"o2\n")], [(ERR, "e1"), (OUT, "o1 o2")]),
        ([(OUT, b"\n\n")], [(OUT, ""), (OUT, "")]),
    ],
)
def test_lines_without_secrets(
    chunks: list[tuple[LogStream, bytes]], expected: list[tuple[LogStream, str]]
) -> None:
    assert collect(None, chunks) == expected


def test_secret_split_across_reads_and_lines_is_masked() -> None:
    masker = Masker(["s3cr3t-value", "BEGIN\nMIDDLE\nEND"])
    chunks = [(OUT, b"x s3cr"), (OUT, b"3t-value y\nkey: BEG"), (OUT, b"IN\nMIDDLE\nEND done\n")]
    text = "\n".join(line for _, line in collect(masker, chunks))
    assert "s3cr3t" not in text
    assert "MIDDLE" not in text
    assert text.startswith("x ******** y")


def test_very_long_line_is_emitted_in_pieces() -> None:
    got = collect(None, [(OUT, b"x" * (LONGEST_LINE + 10)), (OUT, b"tail\n")])
    assert "".join(line for _, line in got) == "x" * (LONGEST_LINE + 10) + "tail"
    assert len(got) == 2


@given(text=st.text(alphabet="ab\né-", max_size=60), cuts=st.lists(st.integers(0, 200), max_size=5))
def test_any_split_keeps_the_text(text: str, cuts: list[int]) -> None:
    data = text.encode()
    pieces = []
    start = 0
    for cut in [*sorted({min(c, len(data)) for c in cuts}), len(data)]:
        pieces.append((OUT, data[start:cut]))
        start = cut
    got = [line for _, line in collect(None, pieces)]
    expected = text.split("\n")
    if expected and expected[-1] == "":
        expected.pop()
    assert got == expected


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [
        ([(OUT, b"a\r\nb\r\n")], ["a", "b"]),
        ([(OUT, b"split\r"), (OUT, b"\nnext\n")], ["split", "next"]),
        ([(OUT, b"one\r\n\r\n")], ["one", ""]),
        ([(OUT, b"bar 1\rbar 2\n")], ["bar 1\rbar 2"]),
        ([(OUT, b"kept\r\r\n")], ["kept\r"]),
    ],
)
def test_crlf_line_endings_are_line_endings(
    chunks: list[tuple[LogStream, bytes]], expected: list[str]
) -> None:
    assert [line for _, line in collect(None, chunks)] == expected


def test_crlf_after_a_secret_is_dropped_and_the_secret_masked() -> None:
    got = collect(Masker(["s3cr3t"]), [(OUT, b"key s3cr3t\r\n")])
    assert got == [(OUT, "key ********")]
