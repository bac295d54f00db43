"""The multiplexed-stream parser: frames split at any byte still come out whole and in order."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conveyor.engine.contract import LogStream
from conveyor.engine.docker.frames import FrameParser


def frame(kind: int, payload: bytes) -> bytes:
    return struct.pack(">BxxxL", kind, len(payload)) + payload


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (frame(1, b"out"), [(LogStream.STDOUT, b"out")]),
        (frame(2, b"err"), [(LogStream.STDERR, b"err")]),
        (frame(0, b"in"), [(LogStream.STDOUT, b"in")]),
        (frame(1, b""), []),
        (frame(1, b"a") + frame(2, b"b"), [(LogStream.STDOUT, b"a"), (LogStream.STDERR, b"b")]),
        (frame(1, b"abc")[:5], []),
    ],
)
def test_whole_reads(data: bytes, expected: list[tuple[LogStream, bytes]]) -> None:
    assert FrameParser().feed(data) == expected


def test_partial_frame_is_held_back() -> None:
    parser = FrameParser()
    data = frame(2, b"hello")
    assert parser.feed(data[:10]) == []
    assert parser.pending == 10
    assert parser.feed(data[10:]) == [(LogStream.STDERR, b"hello")]
    assert parser.pending == 0


@given(
    frames=st.lists(st.tuples(st.sampled_from([1, 2]), st.binary(max_size=40)), max_size=8),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=6),
)
def test_any_split_gives_the_same_frames(frames: list[tuple[int, bytes]], cuts: list[int]) -> None:
    data = b"".join(frame(kind, payload) for kind, payload in frames)
    parser = FrameParser()
    got: list[tuple[LogStream, bytes]] = []
    start = 0
    for cut in [*sorted({min(c, len(data)) for c in cuts}), len(data)]:
        got.extend(parser.feed(data[start:cut]))
        start = cut
    kinds = {1: LogStream.STDOUT, 2: LogStream.STDERR}
    assert got == [(kinds[k], p) for k, p in frames if p]
