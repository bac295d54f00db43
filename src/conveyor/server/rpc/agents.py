"""The agents table: each agent's last description of itself and when it was last heard from."""

from __future__ import annotations

import json
import time

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from conveyor.rpc.agent import AgentInfo
from conveyor.server.store.models import Agent


def record(session: Session, info: AgentInfo, types: tuple[str, ...]) -> None:
    """Insert or update the agent `info` describes (two requests at once are fine)."""
    now = time.time()
    values = {
        "os": info.platform.os,
        "arch": info.platform.arch,
        "labels": json.dumps(info.labels, sort_keys=True),
        "capacity": info.capacity,
        "running": json.dumps(list(info.running)),
        "types": json.dumps(list(types)),
        "version": info.version,
        "contact": now,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Agent).values(name=info.name, created=int(now), **values)
    session.execute(statement.on_conflict_do_update(index_elements=["name"], set_=values))


def touch(session: Session, name: str) -> None:
    """The agent `name` was heard from now."""
    session.execute(update(Agent).where(Agent.name == name).values(contact=time.time()))
