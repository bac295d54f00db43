"""The server's database fixtures (each backend), for the agent's end-to-end tests."""

from tests.server.conftest import db_url, live_server, postgres_admin_url, postgres_template

__all__ = ["db_url", "live_server", "postgres_admin_url", "postgres_template"]
