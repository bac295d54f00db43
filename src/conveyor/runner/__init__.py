"""The runner room of Conveyor (see docs/architecture.md)."""
