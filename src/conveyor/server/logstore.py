"""A step's log lines in the database: one row per line, (step, position) unique, so a batch
sent twice is stored once. A batch costs two statements: the positions already stored in its
range, then one `executemany` of the others, handed to the driver as it is (SQLAlchemy's
per-row parameter handling cost more than the insert itself)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from conveyor.server.store.models import LogLine

INSERT = "INSERT INTO logs (step_id, pos, out, time) VALUES ({0}, {0}, {0}, {0})"
"""The insert, with the driver's placeholder (sqlite3: `?`, psycopg: `%s`)."""


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
    positions = [line.pos for line in batch]
    known = set(
        session.scalars(
            select(LogLine.pos).where(
                LogLine.step_id == step_id, LogLine.pos.between(min(positions), max(positions))
            )
        )
    )
    new = [line for line in batch if line.pos not in known]
    if new:
        connection = session.connection()
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        rows = [(step_id, ln.pos, ln.out, ln.time) for ln in new]
        connection.exec_driver_sql(INSERT.format(mark), rows)
    return new


def read(session: Session, step_id: int) -> list[Line]:
    """Every stored line of the step, in order."""
    return lines_after(session, step_id, -1)


def lines_after(session: Session, step_id: int, after: int, limit: int | None = None) -> list[Line]:
    """The stored lines after position `after`, in order, at most `limit` (columns only: no
    ORM object per row)."""
    query = (
        select(LogLine.pos, LogLine.out, LogLine.time)
        .where(LogLine.step_id == step_id, LogLine.pos > after)
        .order_by(LogLine.pos)
        .limit(limit)
    )
    return [Line(pos=pos, out=out, time=time) for pos, out, time in session.execute(query)]
