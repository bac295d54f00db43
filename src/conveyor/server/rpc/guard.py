"""Who may speak the agent protocol: the shared RPC secret (compared in constant time) and the
same protocol number; every refusal is one sentence."""

from __future__ import annotations

import hmac

from fastapi import Request

from conveyor.rpc import PROTOCOL, PROTOCOL_HEADER, version_refusal
from conveyor.server.api.errors import ApiError
from conveyor.server.context import AppContext


def check_agent(request: Request) -> None:
    """Raise ApiError (401 or 426) unless the request carries the secret and our protocol."""
    ctx = request.app.state.conveyor
    assert isinstance(ctx, AppContext)
    secret = ctx.settings.rpc_secret
    if not secret:
        raise ApiError(
            401, "this server has no CONVEYOR_RPC_SECRET: set it on the server and the agents"
        )
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), secret.encode()
    ):
        raise ApiError(401, "unauthorized: the agent's CONVEYOR_RPC_SECRET is not the server's")
    spoken = request.headers.get(PROTOCOL_HEADER, "")
    if spoken != str(PROTOCOL):
        raise ApiError(426, version_refusal(spoken))
