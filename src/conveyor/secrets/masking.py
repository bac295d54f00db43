"""Replace secret values with `********` in text bound for any sink (logs, terminal, errors).

Pure: no I/O and no state shared between instances. `Masker.mask` handles whole texts;
`StreamMasker` handles a log read in chunks, holding back the tail of a chunk that may be
the start of a secret finished by the next chunk. The values themselves never leave
this module (not in repr, not in an exception).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

DEFAULT_REPLACEMENT = "********"

MIN_LENGTH = 2
"""Values (and lines of multi-line values) shorter than this, once stripped, are not masked.

Masking a one-character value would replace every occurrence of that character in every
log, which destroys the log and, by the pattern of stars, still shows the character.
Drone draws the same line.
"""

SHORT_TEXT = 256
"""Below this length a single regex search finds secrets faster than one `in` per pattern."""

MAX_FOUND = 4096
"""More occurrences than this in one text (a pathological log): let the regex do the work."""


def _patterns(values: Iterable[str]) -> tuple[str, ...]:
    """Every string to mask: each stripped value, and each stripped line of multi-line ones.

    Longest first, so that a secret which contains a shorter one is masked whole.
    """
    found: set[str] = set()
    for value in values:
        whole = value.strip()
        if len(whole) >= MIN_LENGTH:
            found.add(whole)
            found.update(escaped_forms(whole))
        if "\n" in whole:
            found.update(line.strip() for line in whole.split("\n"))
    kept = (p for p in found if len(p) >= MIN_LENGTH)
    return tuple(sorted(kept, key=lambda p: (-len(p), p)))


_GO_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    '"': '\\"',
    "\\": "\\\\",
}


def escaped_forms(value: str) -> set[str]:
    r"""How an error message may quote `value` when it holds a control character, a quote or
    a backslash: Go's `%q` (runc and the Docker engine: `\x00`, `\t`, `\"`) and JSON
    (`\u0000`). Without these, a value with a NUL byte is shown unmasked in runc's error.
    """
    if all(ch.isprintable() and ch not in '"\\' for ch in value):
        return set()
    go = "".join(
        _GO_ESCAPES.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch)
        for ch in value
    )
    return {form for form in (go, json.dumps(value, ensure_ascii=False)[1:-1]) if form != value}


def _alternation(patterns: tuple[str, ...]) -> re.Pattern[str]:
    # One compiled alternation (longest first) instead of a str.replace per secret:
    # leftmost-longest semantics in a single pass, and no partial overlap between secrets.
    return re.compile("|".join(re.escape(p) for p in patterns))


class Masker:
    """Masks a fixed set of secret values; cheap to call on text that holds none of them."""

    __slots__ = ("_all", "_max", "_multiline", "_patterns", "_replacement", "_single")

    def __init__(self, values: Iterable[str], replacement: str = DEFAULT_REPLACEMENT) -> None:
        self._patterns = _patterns(values)
        self._replacement = replacement
        self._max = len(self._patterns[0]) if self._patterns else 0
        self._multiline = tuple(p for p in self._patterns if "\n" in p)
        self._single = tuple(p for p in self._patterns if "\n" not in p)
        self._all = _alternation(self._patterns) if self._patterns else None

    def __repr__(self) -> str:
        return f"Masker(<{len(self._patterns)} patterns>)"

    def __bool__(self) -> bool:
        """False when there is nothing to mask (every value was empty or too short)."""
        return bool(self._patterns)

    @property
    def replacement(self) -> str:
        """What each secret is replaced with."""
        return self._replacement

    def mask(self, text: str) -> str:
        """`text` with every secret value (and every line of a multi-line one) replaced."""
        spans = self._spans(text)
        return self._replace(text, spans, len(text)) if spans else text

    def stream(self) -> StreamMasker:
        """A masker for one stream of chunks (one per log stream; not thread-safe)."""
        return StreamMasker(self)

    def _spans(self, text: str) -> list[tuple[int, int]]:
        """Where the secrets are, as the alternation (longest first, leftmost) finds them."""
        if self._all is None:
            return []
        if len(text) < SHORT_TEXT:
            # A log line: one regex pass costs less than one `in` per pattern.
            first = self._all.search(text)
            if first is None:
                return []
            return [m.span() for m in self._all.finditer(text, first.start())]
        # `in` and `find` are fast C substring searches (GB/s); the regex engine tries
        # every alternative at every candidate position (~100 MB/s). Most long chunks
        # hold no secret, or a few occurrences of one or two.
        present = [(rank, p) for rank, p in enumerate(self._patterns) if p in text]
        if not present:
            return []
        found: list[tuple[int, int, int]] = []
        for rank, pattern in present:
            index = text.find(pattern)
            while index != -1:
                found.append((index, rank, index + len(pattern)))
                if len(found) > MAX_FOUND:
                    return [m.span() for m in self._all.finditer(text)]
                index = text.find(pattern, index + 1)
        found.sort()
        spans: list[tuple[int, int]] = []
        done = 0
        for start, _rank, end in found:
            if start >= done:  # the first (longest) pattern at the leftmost free position
                spans.append((start, end))
                done = end
        return spans

    def _replace(self, text: str, spans: list[tuple[int, int]], cut: int) -> str:
        pieces: list[str] = []
        done = 0
        for start, end in spans:
            pieces.append(text[done:start])
            pieces.append(self._replacement)
            done = end
        pieces.append(text[done:cut])
        return "".join(pieces)

    def _mask_until(self, text: str, limit: int) -> tuple[str, int]:
        """Mask `text[:cut]`, where cut <= limit is before any match that crosses `limit`."""
        spans = self._spans(text)
        if not spans:
            return text[:limit], limit
        cut = limit
        kept = 0
        for start, end in spans:
            if start >= limit:
                break
            if end > limit:
                cut = start
                break
            kept += 1
        return self._replace(text, spans[:kept], cut), cut

    def _pending(self, text: str) -> int:
        """Length of the longest suffix of `text` that is a proper prefix of a pattern."""
        size = len(text)
        floor = max(0, size - self._max)
        best = 0
        if self._multiline:
            best = self._longest_prefix_suffix(text, self._multiline, floor, 0)
        # A single-line pattern cannot have a prefix that spans a newline, so a chunk that
        # ends a line (the usual case) has nothing to hold back for them.
        newline = text.rfind("\n", floor)
        if newline == size - 1:
            return best
        return self._longest_prefix_suffix(text, self._single, newline + 1, best)

    @staticmethod
    def _longest_prefix_suffix(text: str, patterns: tuple[str, ...], floor: int, best: int) -> int:
        size = len(text)
        for pattern in patterns:  # longest first: stop once none can beat `best`
            if len(pattern) - 1 <= best:
                break
            first = pattern[0]
            start = max(floor, size - len(pattern) + 1)
            index = text.find(first, start, size - best)
            while index != -1:
                if pattern.startswith(text[index:]):
                    best = size - index
                    break
                index = text.find(first, index + 1, size - best)
        return best


class StreamMasker:
    """Masks one stream read in chunks: a secret split across two chunks is still masked.

    `feed` returns what is safe to show now and keeps back the shortest tail that could
    still grow into a secret; `flush` returns that tail, masked, at the end of the stream.
    The concatenated output equals `Masker.mask` of the concatenated input.
    """

    __slots__ = ("_held", "_masker")

    def __init__(self, masker: Masker) -> None:
        self._masker = masker
        self._held = ""

    def __repr__(self) -> str:
        return f"StreamMasker(<{len(self._held)} characters held>)"

    def feed(self, chunk: str) -> str:
        """The part of `held + chunk` that no later chunk can turn into a secret, masked."""
        text = self._held + chunk if self._held else chunk
        masker = self._masker
        if not masker:
            self._held = ""
            return text
        limit = len(text) - masker._pending(text)
        out, cut = masker._mask_until(text, limit)
        self._held = text[cut:]
        return out

    def flush(self) -> str:
        """Everything still held back, masked; the stream may be fed again afterwards."""
        text, self._held = self._held, ""
        return self._masker.mask(text)
