"""Starts the agent: the Docker engine, the image guard in the agent's state directory, the
removal of what dead runs left behind, and signals that stop it cleanly."""

from __future__ import annotations

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

    engine = connect()
    remove_dead_leftovers(engine, err)
    guard = make_guard(
        settings.image_cache_mode, settings.state_dir, report=lambda line: _say(err, line)
    )
    if guard.notice:
        _say(err, f"warning: {guard.notice}")
    client = RpcClient(settings.server, settings.secret)
    agent = Agent(
        settings, StageHost(agent=settings.name, client=client, engine=engine, guard=guard, err=err)
    )

    def stop(number: int, frame: object) -> None:
        if not agent.stop.is_set():
            _say(err, "stopping: running stages are stopped and reported killed")
        agent.stop.set()

    previous = {n: signal.signal(n, stop) for n in (signal.SIGINT, signal.SIGTERM)}
    labels = ", ".join(f"{k}={v}" for k, v in sorted(settings.labels.items())) or "none"
    _say(
        err,
        f"agent {settings.name} ({settings.platform.os}/{settings.platform.arch}, "
        f"capacity {settings.capacity}, labels {labels}) takes work from {settings.server}",
    )
    try:
        agent.run()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if agent.refusal is not None:
        raise agent.refusal
    return 0


def _say(err: TextIO, text: str) -> None:
    err.write(f"conveyor agent: {text}\n")
    err.flush()
