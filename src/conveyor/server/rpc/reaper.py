"""The lease reaper: a running stage whose agent was silent past its lease becomes `error`
("agent NAME stopped answering at TIME"), its running steps too, and its build settles.
Never requeued: a stage is never run twice. Runs as a task of the app's lifespan."""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from conveyor.server.context import AppContext
from conveyor.server.live.events import build_event, publish_builds
from conveyor.server.rpc.finish import end_stage
from conveyor.server.states import Status
from conveyor.server.store.models import Stage

INTERVAL = 1.0
log = logging.getLogger("conveyor.server")


def reap(session: Session, now: float) -> list[int]:
    """End every running stage whose lease ran out before `now`; returns their ids."""
    query = select(Stage).where(
        Stage.status == Status.RUNNING, Stage.lease_until > 0, Stage.lease_until < now
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ended: list[int] = []
    for stage in session.scalars(query):
        seen = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(stage.contact or stage.started))
        end_stage(
            session, stage, Status.ERROR, f"agent {stage.machine} stopped answering at {seen}"
        )
        ended.append(stage.id)
    return ended


def reap_once(ctx: AppContext) -> list[int]:
    """One pass in its own transaction; the ended builds' states go to live readers."""
    with ctx.tx() as session:
        ended = reap(session, time.time())
        builds = session.scalars(select(Stage.build_id).where(Stage.id.in_(ended)).distinct())
        events = [build_event(session, build_id) for build_id in sorted(builds)]
    publish_builds(ctx.hub, events)
    return ended


async def run_reaper(ctx: AppContext, interval: float = INTERVAL) -> None:
    """Reap every `interval` seconds until cancelled; a failed pass is logged and retried."""
    while True:
        try:
            ended = await run_in_threadpool(reap_once, ctx)
        except Exception as exc:  # noqa: BLE001 - the database may be briefly away; try again
            log.warning("lease reaper pass failed: %s", type(exc).__name__)
        else:
            if ended:
                log.info("lease reaper: stages %s ended with error", ended)
                ctx.queue_signal.notify()
        await asyncio.sleep(interval)
