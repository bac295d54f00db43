"""The spec: frozen dataclasses of what the user wrote in a `.drone.yml` (no I/O)."""
