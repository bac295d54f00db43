"""Conveyor: a container-native CI engine that runs Drone pipelines unchanged.

This package module holds only the version; it must stay import-free so that
`conveyor --help` starts fast.
"""

__version__ = "0.1.0"
