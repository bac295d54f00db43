"""The plan: frozen dataclasses of what will run, plus a JSON codec (no I/O, no secret values)."""
