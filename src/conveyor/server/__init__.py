"""The Conveyor server: REST API, webhooks, pipeline intake, store and queue (never Docker)."""
