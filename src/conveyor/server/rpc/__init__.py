"""The server's side of the agent protocol (/rpc/v1, docs/agent-protocol.md): authentication,
claims, reports of running stages, leases and their reaper."""
