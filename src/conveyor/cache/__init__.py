"""The cache room of Conveyor (see docs/architecture.md)."""
