"""Container output bytes to masked text lines: incremental UTF-8 decode, mask, split.

Each stream (stdout, stderr) has its own decoder and its own `StreamMasker`, so a character or a
secret split across two reads is handled. Masking runs before the split, so secrets that span
lines are masked too; CRLF ends a line as LF does. Pure: the caller gives the bytes and receives
the lines.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable

from conveyor.engine.contract import LogStream
from conveyor.secrets.masking import Masker, StreamMasker

LONGEST_LINE = 64 * 1024
"""A line longer than this (no line break yet) is emitted in pieces to bound memory."""


class _Channel:
    __slots__ = ("decoder", "masker", "partial")

    def __init__(self, masker: StreamMasker | None) -> None:
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.masker = masker
        self.partial = ""


class LineSplitter:
    """Feeds one container's output; calls `emit(stream, lines)` with complete masked lines."""

    def __init__(
        self,
        masker: Masker | None,
        emit: Callable[[LogStream, tuple[str, ...]], None],
    ) -> None:
        self._masker = masker
        self._emit = emit
        self._channels: dict[LogStream, _Channel] = {}

    def feed(self, stream: LogStream, data: bytes) -> None:
        """Add bytes of `stream`; complete lines are emitted now."""
        channel = self._channel(stream)
        text = channel.decoder.decode(data)
        if channel.masker is not None:
            text = channel.masker.feed(text)
        self._split(stream, channel, text, final=False)

    def close(self) -> None:
        """The output ended: emit what is held back, the last unterminated line included."""
        for stream, channel in self._channels.items():
            text = channel.decoder.decode(b"", final=True)
            if channel.masker is not None:
                text = channel.masker.feed(text) + channel.masker.flush()
            self._split(stream, channel, text, final=True)

    def _channel(self, stream: LogStream) -> _Channel:
        channel = self._channels.get(stream)
        if channel is None:
            masker = self._masker.stream() if self._masker is not None else None
            channel = self._channels[stream] = _Channel(masker)
        return channel

    def _split(self, stream: LogStream, channel: _Channel, text: str, *, final: bool) -> None:
        if not text and not (final and channel.partial):
            return
        joined = channel.partial + text
        pieces = joined.split("\n")
        channel.partial = pieces.pop()
        if "\r" in joined:  # a CRLF ends a line as LF does (the CR would end up in the log)
            pieces = [piece[:-1] if piece.endswith("\r") else piece for piece in pieces]
        if len(channel.partial) > LONGEST_LINE:
            pieces.append(channel.partial)
            channel.partial = ""
        if final and channel.partial:
            pieces.append(channel.partial)
            channel.partial = ""
        if pieces:
            self._emit(stream, tuple(pieces))
