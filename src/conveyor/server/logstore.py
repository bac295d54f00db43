"""A step's log lines in the database: one row per line, (step, position) unique, so a batch
sent twice is stored once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.server.store.models import LogLine


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    """One log line: position in the step's log, text (with its newline), seconds since start."""

    pos: int
    out: str
    time: int = 0


def append(session: Session, step_id: int, lines: Iterable[Line]) -> list[Line]:
    """Store the lines not stored yet; returns those that were new."""
    batch = list(lines)
    if not batch:
        return []
    known = set(
        session.scalars(
            select(LogLine.pos).where(
                LogLine.step_id == step_id, LogLine.pos.in_([line.pos for line in batch])
            )
        )
    )
    new = [line for line in batch if line.pos not in known]
    session.add_all(LogLine(step_id=step_id, pos=ln.pos, out=ln.out, time=ln.time) for ln in new)
    return new


def read(session: Session, step_id: int) -> list[Line]:
    """Every stored line of the step, in order (columns only: no ORM objects to build)."""
    rows = session.execute(
        select(LogLine.pos, LogLine.out, LogLine.time)
        .where(LogLine.step_id == step_id)
        .order_by(LogLine.pos)
    )
    return [Line(pos=pos, out=out, time=time) for pos, out, time in rows]
