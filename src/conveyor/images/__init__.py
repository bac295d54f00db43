"""Image references, pull decisions, config.json parsing and credential matching (pure, no I/O)."""
