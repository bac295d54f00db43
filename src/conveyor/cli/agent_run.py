"""Starts the agent: the Docker engine, the image guard in the agent's state directory, the
removal of what dead runs left behind, and signals that stop it cleanly."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from conveyor.agent.settings import AgentSettings


def serve(settings: AgentSettings, err: TextIO) -> int:
    """Run the agent until SIGINT/SIGTERM (0) or a refusal by the server (1)."""
    import signal

    from conveyor.agent.client import RpcClient
    from conveyor.agent.daemon import Agent
    from conveyor.agent.stage_run import StageHost
    from conveyor.cache.guard import make_guard
    from conveyor.cli.cmd_exec import remove_dead_leftovers
    from conveyor.engine.docker.backend import connect

    stop = threading.Event()

    def on_signal(number: int, frame: object) -> None:
        if not stop.is_set():
            _say(err, "stopping: running stages are stopped and reported killed")
        stop.set()

    previous = {n: signal.signal(n, on_signal) for n in (signal.SIGINT, signal.SIGTERM)}
    try:
        engine = connect()
        remove_dead_leftovers(engine, err)
        err.flush()
        guard = make_guard(
            settings.image_cache_mode, settings.state_dir, report=lambda line: _say(err, line)
        )
        if guard.notice:
            _say(err, f"warning: {guard.notice}")
        host = StageHost(
            agent=settings.name,
            client=RpcClient(settings.server, settings.secret),
            engine=engine,
            guard=guard,
            err=err,
        )
        agent = Agent(settings, host, stop)
        _say(err, _started(settings))
        agent.run()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if agent.refusal is not None:
        raise agent.refusal
    return 0


def _started(settings: AgentSettings) -> str:
    labels = ", ".join(f"{k}={v}" for k, v in sorted(settings.labels.items())) or "none"
    where = f"{settings.platform.os}/{settings.platform.arch}"
    return (
        f"agent {settings.name} ({where}, capacity {settings.capacity}, labels {labels}) "
        f"takes work from {settings.server}"
    )


def _say(err: TextIO, text: str) -> None:
    err.write(f"conveyor agent: {text}\n")
    err.flush()
