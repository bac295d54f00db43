"""`conveyor server`: repositories, secrets encrypted at rest, builds and a Drone-shaped REST API.

The server never talks to Docker and never imports the engine or the runner. `hooks/` (webhooks)
and `intake/` (pipeline file to stages) are pure but for git.
"""
