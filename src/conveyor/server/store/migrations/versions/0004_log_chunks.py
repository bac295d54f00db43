"""Log lines stored as runs: `log_chunks` replaces `logs` (one row per line). Stored lines are
moved over, a run of consecutive positions of a step at a time (at most 5,000 lines a row).

Revision ID: 0004 (written from store/models.py; tests/server/test_startup.py checks the match).
"""

from __future__ import annotations

import json
import re

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

ROWS = 5000


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "log_chunks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("pos", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("times", sa.Text(), nullable=False),
        sa.Column("outs", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["step_id"], ["steps.id"], name=op.f("fk_log_chunks_step_id_steps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_chunks")),
        sa.UniqueConstraint("step_id", "pos", name=op.f("uq_log_chunks_step_id_pos")),
    )
    _move_lines(op.get_bind())
    op.drop_table("logs")


def _move_lines(bind: sa.Connection) -> None:
    """Every stored line into `log_chunks`, runs of consecutive positions per step."""
    logs = sa.table(
        "logs", sa.column("step_id"), sa.column("pos"), sa.column("out"), sa.column("time")
    )
    chunks = sa.table(
        "log_chunks",
        *(sa.column(name) for name in ("step_id", "pos", "last", "count", "times", "outs")),
    )
    query = sa.select(logs.c.step_id, logs.c.pos, logs.c.out, logs.c.time).order_by(
        logs.c.step_id, logs.c.pos
    )
    run: list[tuple[int, int, str, int]] = []
    rows: list[dict[str, object]] = []
    for step_id, pos, out, time in bind.execute(query):
        if run and (step_id != run[0][0] or pos != run[-1][1] + 1 or len(run) >= ROWS):
            rows.append(_row(run))
            run = []
        run.append((step_id, pos, out, time))
        if len(rows) >= 100:
            bind.execute(chunks.insert(), rows)
            rows = []
    if run:
        rows.append(_row(run))
    if rows:
        bind.execute(chunks.insert(), rows)


def _row(run: list[tuple[int, int, str, int]]) -> dict[str, object]:
    times: list[list[int]] = []
    for _, _, _, time in run:
        if times and times[-1][1] == time:
            times[-1][0] += 1
        else:
            times.append([1, time])
    return {
        "step_id": run[0][0],
        "pos": run[0][1],
        "last": run[-1][1],
        "count": len(run),
        "times": json.dumps(times, separators=(",", ":")),
        "outs": json.dumps([out for _, _, out, _ in run], separators=(",", ":")),
    }


def downgrade() -> None:
    """Downgrade schema (the lines go back to one row each)."""
    logs = op.create_table(
        "logs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("pos", sa.Integer(), nullable=False),
        sa.Column("out", sa.Text(), nullable=False),
        sa.Column("time", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["step_id"], ["steps.id"], name=op.f("fk_logs_step_id_steps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logs")),
        sa.UniqueConstraint("step_id", "pos", name=op.f("uq_logs_step_id_pos")),
    )
    bind = op.get_bind()
    chunks = sa.table(
        "log_chunks", sa.column("step_id"), sa.column("pos"), sa.column("times"), sa.column("outs")
    )
    for step_id, pos, times, outs in bind.execute(sa.select(chunks)):
        seconds = [time for count, time in json.loads(times) for _ in range(count)]
        texts = re.findall(r"[^\n]*\n", outs) if "\n" in outs else json.loads(outs)
        rows = [
            {"step_id": step_id, "pos": pos + n, "out": out, "time": seconds[n]}
            for n, out in enumerate(texts)
        ]
        bind.execute(logs.insert(), rows)
    op.drop_table("log_chunks")
