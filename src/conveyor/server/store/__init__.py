"""The server's database: SQLAlchemy 2 models, engines for SQLite and PostgreSQL, migrations."""
