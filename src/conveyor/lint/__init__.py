"""The lint room of Conveyor (see docs/architecture.md)."""
