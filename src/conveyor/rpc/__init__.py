"""The agent protocol's messages (docs/agent-protocol.md): frozen values, to and from JSON data.

Pure and shared by the server (`server/rpc/`) and the agent (`agent/`): plain dicts in, plain
dicts out, every key and type checked on the way in (`ProtocolError` names the bad key). The
stage's job travels as the dict of `runner/job_codec.py`, unread here.
"""

from __future__ import annotations

PROTOCOL = 2
"""The protocol number both sides send in `PROTOCOL_HEADER`; a different number is refused."""
PROTOCOL_HEADER = "X-Conveyor-Protocol"
PREFIX = "/rpc/v1"
"""Every route of the protocol sits under this path."""
DEFAULT_WAIT = 30.0
"""Seconds a stage request waits for work when the agent does not say."""


def version_refusal(agent_protocol: str) -> str:
    """The one sentence a server answers (426) to an agent of another protocol number."""
    return (
        f"agent speaks protocol {agent_protocol or 'none'}, server speaks {PROTOCOL}: upgrade the"
        " agent (or the server) to the same Conveyor version"
    )
