"""The registry room of Conveyor (see docs/architecture.md)."""
