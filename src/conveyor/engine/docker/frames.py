"""Incremental parser of Docker's multiplexed output stream (8-byte header, then payload).

Written by hand because the SDK's parsers read one frame per call and drop the stream id; this
one takes reads of any size and yields (stream, bytes) pairs. Pure: no I/O.
"""

from __future__ import annotations

import struct

from conveyor.engine.contract import LogStream

HEADER = struct.Struct(">BxxxL")
_STREAMS = {0: LogStream.STDOUT, 1: LogStream.STDOUT, 2: LogStream.STDERR}


class FrameParser:
    """Feed raw bytes as they arrive; complete frames come out, partial ones wait."""

    __slots__ = ("_buffer",)

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[tuple[LogStream, bytes]]:
        """The frames completed by `data`, in order (stdin echoes count as stdout)."""
        buffer = self._buffer
        buffer += data
        frames: list[tuple[LogStream, bytes]] = []
        pos = 0
        end = len(buffer)
        size = HEADER.size
        while end - pos >= size:
            kind, length = HEADER.unpack_from(buffer, pos)
            if end - pos - size < length:
                break
            start = pos + size
            pos = start + length
            if length:
                frames.append((_STREAMS.get(kind, LogStream.STDOUT), bytes(buffer[start:pos])))
        del buffer[:pos]
        return frames

    @property
    def pending(self) -> int:
        """Bytes of an incomplete frame held back."""
        return len(self._buffer)
