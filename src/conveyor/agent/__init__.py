"""`conveyor agent`: takes stages from a server over the agent protocol and runs them here."""
