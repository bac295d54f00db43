"""The server's listening socket (cli/server_run.py): connections it accepts send small writes
at once (no Nagle), so an answer's body never waits for the client's delayed ACK."""

from __future__ import annotations

import asyncio
import socket

import pytest

from conveyor.cli.server_run import bind
from conveyor.errors import ConfigError


def test_accepted_connections_have_nagle_off() -> None:
    listening = bind("127.0.0.1", 0)
    port = listening.getsockname()[1]
    seen: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def accept_one() -> None:
        server = await asyncio.get_running_loop().create_server(Probe, sock=listening)
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.05)
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(accept_one())
    assert seen == [1]


def test_a_port_in_use_is_one_sentence() -> None:
    taken = bind("127.0.0.1", 0)
    port = taken.getsockname()[1]
    with pytest.raises(ConfigError, match=rf"^cannot listen on 127.0.0.1:{port}: "):
        bind("127.0.0.1", port)
    taken.close()
