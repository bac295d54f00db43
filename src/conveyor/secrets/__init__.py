"""The secrets room of Conveyor (see docs/architecture.md)."""
