"""The config room of Conveyor (see docs/architecture.md)."""
