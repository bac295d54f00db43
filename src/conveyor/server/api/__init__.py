"""The REST API under /api and the webhook endpoint: one router module per resource."""
