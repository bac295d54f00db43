"""Running `conveyor server` under uvicorn: bind the port first (a port in use is exit 2 with
one sentence), print how to sign in, log one key=value line per request to stderr."""

from __future__ import annotations

import logging
import socket
import sys

from conveyor.errors import ConfigError
from conveyor.server.settings import Settings


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; ConfigError when it cannot be had. Its protocol is
    named (IPPROTO_TCP): asyncio turns Nagle's algorithm off only on connections of a socket
    that says it is TCP, and with it on every answer's body waited for the client's delayed
    ACK of its headers (40 ms on Linux)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def configure_logging() -> None:
    """key=value lines on stderr for the server's and uvicorn's loggers."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("time=%(asctime)s level=%(levelname)s logger=%(name)s %(message)s")
    )
    for name in ("conveyor.server", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False


def serve(settings: Settings) -> int:
    """Open the state, bind, and serve until interrupted."""
    import uvicorn

    from conveyor.server.app import create_app

    app = create_app(settings)
    state = app.state.conveyor.state
    try:
        sock = bind(settings.host, settings.port)
    except ConfigError:
        state.engine.dispose()
        raise
    for note in state.notes:
        sys.stdout.write(note + "\n")
    sys.stdout.write(
        f"conveyor server listening on http://{settings.host}:{settings.port} "
        f"(data {settings.data_dir})\n"
    )
    sys.stdout.flush()
    configure_logging()
    # open live streams (SSE) never end by themselves: give them 5 s when the server stops
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=5
    )
    uvicorn.Server(config).run(sockets=[sock])
    state.engine.dispose()
    return 0
