"""Alembic migrations of the server database (applied at start and by `conveyor server migrate`)."""
