"""The engine room of Conveyor (see docs/architecture.md)."""
