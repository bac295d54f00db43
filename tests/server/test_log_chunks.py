"""Log lines stored as runs (server/logstore.py, migration 0004) on both databases: odd lines
come back exactly, and lines stored one per row before 0004 are moved into runs and back."""

from __future__ import annotations

import json

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from conveyor.server import logstore
from conveyor.server.logstore import Chunk, Line, append, chunks_after, read
from conveyor.server.store.db import MIGRATIONS, make_engine
from conveyor.server.store.models import Build, LogChunk, Repo, Stage, Step

ODD = [
    "plain\n",
    "no line break at the end",
    "two\nbreaks\n",
    "\r\n",
    "\x1b[31mred\x1b[0m é 中文 🚀 \u2028 \u2029 \x85 \x0b\x0c\n",
    "",
    "\n",
]


def _alembic(engine: Engine, target: str, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, target)


def test_odd_lines_come_back_exactly(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    _alembic(engine, "head")
    with Session(engine) as session, session.begin():
        step_id = _any_step(session)
        plain = Chunk(0, [f"line {n}\n" for n in range(3)], [(2, 0), (1, 5)])
        odd = Chunk(3, ODD, [(len(ODD), 7)])
        assert append(session, step_id, [odd, plain]) == [
            Chunk(0, [*plain.outs, *ODD], [(2, 0), (1, 5), (len(ODD), 7)])
        ]
        assert [ln.out for ln in read(session, step_id)] == [*plain.outs, *ODD]
        assert logstore.text(session, step_id) == "".join([*plain.outs, *ODD])
        assert [ln.time for ln in read(session, step_id)] == [0, 0, 5] + [7] * len(ODD)
        assert [(c.pos, c.last) for c in chunks_after(session, step_id, 4)] == [(5, 9)]
        stored = session.scalars(select(LogChunk.outs)).all()
    assert [json.loads(row) for row in stored] == [[*plain.outs, *ODD]]  # one JSON row
    engine.dispose()


def test_plain_lines_are_stored_as_text(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    _alembic(engine, "head")
    with Session(engine) as session, session.begin():
        step_id = _any_step(session)
        lines = ["a\n", "\x1b[1mb\x1b[0m\r\n", "\u2028c\n"]
        append(session, step_id, [Chunk(0, lines, [(3, 1)])])
        assert session.scalars(select(LogChunk.outs)).all() == ["".join(lines)]
        assert [ln.out for ln in read(session, step_id)] == lines
        append(session, step_id, [Chunk(3, ["odd"], [(1, 1)]), Chunk(4, ["d\n"], [(1, 2)])])
        assert logstore.text(session, step_id) == "".join(lines) + "oddd\n"
    engine.dispose()


def test_lines_stored_one_per_row_move_into_runs_and_back(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    _alembic(engine, "0003")
    with Session(engine) as session, session.begin():
        step_id = _any_step(session)
        logs = text("INSERT INTO logs (step_id, pos, out, time) VALUES (:s, :p, :o, :t)")
        old = [(p, f"line {p}\n", p // 3) for p in (*range(7), 9, 10)] + [(11, ODD[1], 4)]
        session.execute(logs, [{"s": step_id, "p": p, "o": o, "t": t} for p, o, t in old])
    _alembic(engine, "0004")
    with Session(engine) as session:
        step_id = session.scalars(select(Step.id)).one()
        rows = session.execute(select(LogChunk.pos, LogChunk.last, LogChunk.count)).all()
        assert sorted(rows) == [(0, 6, 7), (9, 11, 3)]  # a gap starts a new run
        assert read(session, step_id) == [Line(pos=p, out=o, time=t) for p, o, t in old]
    _alembic(engine, "0003", down=True)
    with engine.connect() as conn:
        back = conn.execute(text("SELECT pos, out, time FROM logs ORDER BY pos")).all()
    assert [tuple(row) for row in back] == old
    engine.dispose()


def _any_step(session: Session) -> int:
    """A repository, build, stage and step to hang lines on (their tables are the same in
    0003 and 0004, so the models write them on both)."""
    repo = Repo(namespace="octo", name="app", slug="octo/app", git_http_url="https://x/y.git",
                default_branch="main",
                hook_secret=b"s", created=1, updated=1)  # fmt: skip
    session.add(repo)
    session.flush()
    build = Build(repo_id=repo.id, number=1, status="running", event="push", created=1, updated=1)
    session.add(build)
    session.flush()
    stage = Stage(repo_id=repo.id, build_id=build.id, number=1, name="build", status="running",
                  created=1, updated=1)  # fmt: skip
    session.add(stage)
    session.flush()
    step = Step(stage_id=stage.id, number=1, name="test", status="running")
    session.add(step)
    session.flush()
    return step.id
