"""The Docker backend of the engine room: the only modules that import the Docker SDK."""
