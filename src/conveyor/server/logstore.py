"""A step's log in the database, stored as runs of lines: a row holds the lines of one step at
consecutive positions (`pos` to `last`), joined (or as a JSON array when a line has no line
break at its end or one inside), with their times as runs of `[count, seconds]`. Rows of a
step never overlap, so a batch sent twice is stored once: the positions already covered are
left out and what is new is stored as new rows. A batch of thousands of lines costs one overlap
query and one insert per run instead of one row per line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat

from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.server.store.models import LogChunk

INSERT = (
    "INSERT INTO log_chunks (step_id, pos, last, count, times, outs)"
    " VALUES ({0}, {0}, {0}, {0}, {0}, {0})"
)
"""The insert, with the driver's placeholder (sqlite3: `?`, psycopg: `%s`)."""
ROWS = 5000
"""Most lines in one stored row (a longer run is cut)."""
ROWS_READ = 8
"""Rows read at once by `chunks_after` when it is given a limit."""

_dumps = json.JSONEncoder(separators=(",", ":")).encode
_LINE = re.compile(r"[^\n]*\n")


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    """One log line: position in the step's log, text (with its newline), seconds since start."""

    pos: int
    out: str
    time: int = 0


@dataclass(frozen=True, slots=True)
class Chunk:
    """Lines of one step at consecutive positions from `pos`; `times` are runs of (count,
    seconds since the step started) covering every line, in order."""

    pos: int
    outs: Sequence[str]
    times: Sequence[tuple[int, int]]

    def __len__(self) -> int:
        return len(self.outs)

    @property
    def last(self) -> int:
        """The position of the last line."""
        return self.pos + len(self.outs) - 1

    def seconds(self) -> Iterator[int]:
        """Each line's time, in order."""
        for count, seconds in self.times:
            yield from repeat(seconds, count)

    def lines(self) -> Iterator[Line]:
        """The lines as `Line`s."""
        for n, (out, seconds) in enumerate(zip(self.outs, self.seconds(), strict=True)):
            yield Line(pos=self.pos + n, out=out, time=seconds)

    def part(self, first: int, last: int) -> Chunk:
        """The lines at positions `first` to `last` (within this chunk)."""
        start, stop = first - self.pos, last - self.pos + 1
        runs: list[tuple[int, int]] = []
        at = 0
        for count, seconds in self.times:
            keep = min(stop, at + count) - max(start, at)
            if keep > 0:
                runs.append((keep, seconds))
            at += count
        return Chunk(first, self.outs[start:stop], runs)

    def after(self, pos: int) -> Chunk | None:
        """The lines after position `pos`, or None when there are none."""
        if pos < self.pos:
            return self
        return self.part(pos + 1, self.last) if pos < self.last else None


def single(pos: int, out: str, seconds: int = 0) -> Chunk:
    """A chunk of one line."""
    return Chunk(pos, [out], [(1, seconds)])


def from_lines(lines: Iterable[Line]) -> list[Chunk]:
    """Lines (any order, one per position) as chunks of consecutive positions."""
    return merge(single(line.pos, line.out, line.time) for line in lines)


def merge(chunks: Iterable[Chunk]) -> list[Chunk]:
    """Chunks in position order with neighbours joined (a position given twice: the first).
    Joined runs are built in lists of their own, extended in place: a batch of thousands of
    one-line chunks costs as much as one chunk of as many lines."""
    merged: list[Chunk] = []
    outs: list[str] = []
    runs: list[tuple[int, int]] = []
    for given in sorted(chunks, key=lambda c: c.pos):
        chunk = given.after(merged[-1].last) if merged else given
        if chunk is None:
            continue
        if not merged or chunk.pos != merged[-1].last + 1:
            outs, runs = [], []
            merged.append(Chunk(chunk.pos, outs, runs))
        outs.extend(chunk.outs)
        for count, seconds in chunk.times:
            if runs and runs[-1][1] == seconds:
                runs[-1] = (runs[-1][0] + count, seconds)
            else:
                runs.append((count, seconds))
    return merged


def append(session: Session, step_id: int, chunks: Iterable[Chunk]) -> list[Chunk]:
    """Store the lines not stored yet; returns those that were new, as chunks in order."""
    batch = merge(chunks)
    if not batch:
        return []
    stored = session.execute(
        select(LogChunk.pos, LogChunk.last).where(
            LogChunk.step_id == step_id,
            LogChunk.last >= batch[0].pos,
            LogChunk.pos <= batch[-1].last,
        )
    ).all()
    new = _uncovered(batch, sorted((pos, last) for pos, last in stored))
    rows = [
        (step_id, part.pos, part.last, len(part), _dumps(part.times), _outs_text(part.outs))
        for chunk in new
        for part in _cut(chunk)
    ]
    if rows:
        connection = session.connection()
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        connection.exec_driver_sql(INSERT.format(mark), rows)
    return new


def _outs_text(outs: Sequence[str]) -> str:
    """The lines as stored: joined when each ends with its only line break (a step's output
    as the runner splits it), else a JSON array (which never holds a raw line break)."""
    text = "".join(outs)
    if text.count("\n") == len(outs) and all(out.endswith("\n") for out in outs):
        return text
    return _dumps(outs)


def _outs_of(text: str) -> list[str]:
    """The lines of a row's `outs` (`_outs_text` undone)."""
    return _LINE.findall(text) if "\n" in text else list(json.loads(text))


def _uncovered(batch: list[Chunk], stored: list[tuple[int, int]]) -> list[Chunk]:
    """The parts of `batch` (ordered, not overlapping) outside the `stored` ranges."""
    new: list[Chunk] = []
    for chunk in batch:
        first = chunk.pos
        for pos, last in stored:
            if last < first or pos > chunk.last:
                continue
            if pos > first:
                new.append(chunk.part(first, pos - 1))
            first = max(first, last + 1)
        if first <= chunk.last:
            new.append(chunk.part(first, chunk.last))
    return new


def _cut(chunk: Chunk) -> Iterator[Chunk]:
    """`chunk` in rows of at most ROWS lines."""
    if len(chunk) <= ROWS:
        yield chunk
        return
    for first in range(chunk.pos, chunk.last + 1, ROWS):
        yield chunk.part(first, min(first + ROWS - 1, chunk.last))


def chunks_after(
    session: Session, step_id: int, after: int, limit: int | None = None
) -> list[Chunk]:
    """The stored lines after position `after`, in order, as chunks; at least `limit` lines
    when that many are stored (whole rows are read, so a few more may come)."""
    query = (
        select(LogChunk.pos, LogChunk.last, LogChunk.outs, LogChunk.times)
        .where(LogChunk.step_id == step_id)
        .order_by(LogChunk.pos)
    )
    found: list[Chunk] = []
    total, last = 0, after
    rows = None if limit is None else ROWS_READ
    while limit is None or total < limit:
        page = session.execute(query.where(LogChunk.last > last).limit(rows)).all()
        for pos, end, outs, times in page:
            chunk = Chunk(pos, _outs_of(outs), [(n, s) for n, s in json.loads(times)])
            rest = chunk.after(after)
            if rest is not None:
                found.append(rest)
                total += len(rest)
            last = end
        if rows is None or len(page) < rows:
            break
    return found


def lines_after(session: Session, step_id: int, after: int, limit: int | None = None) -> list[Line]:
    """The stored lines after position `after`, in order, at most `limit`."""
    chunks = chunks_after(session, step_id, after, limit)
    lines = [line for chunk in chunks for line in chunk.lines()]
    return lines if limit is None else lines[:limit]


def text(session: Session, step_id: int) -> str:
    """The step's whole stored log as text (rows stored joined are used as they are)."""
    query = select(LogChunk.outs).where(LogChunk.step_id == step_id).order_by(LogChunk.pos)
    return "".join(
        outs if "\n" in outs else "".join(json.loads(outs)) for outs in session.scalars(query)
    )


def read(session: Session, step_id: int) -> list[Line]:
    """Every stored line of the step, in order."""
    return lines_after(session, step_id, -1)
