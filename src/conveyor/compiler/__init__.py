"""The compiler room of Conveyor (see docs/architecture.md)."""
