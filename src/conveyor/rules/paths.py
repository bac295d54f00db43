"""Paths in a pipeline: what is absolute on the pipeline's OS, and the workspace's place.

Linux pipelines mount at absolute POSIX paths. Windows pipelines (`platform: {os: windows}`)
also use drive paths (`C:\\cache`, `C:/cache`) and UNC or device paths such as the Docker
engine's named pipe (`\\\\.\\pipe\\docker_engine`), which Drone passes to Docker unchanged.
The workspace may not sit on a system directory, and `workspace` is the name of its volume,
so no pipeline volume may take it. Pure.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from conveyor.spec.model import Pipeline

WINDOWS = "windows"
_DRIVE = re.compile(r"[A-Za-z]:[\\/]")

DEFAULT_BASE = "/drone/src"
WORKSPACE_VOLUME = "workspace"
"""The name of the workspace's volume; a pipeline volume may not take it."""

RESTRICTED = frozenset(
    {
        "/",
        "/bin",
        "/dev",
        "/etc",
        "/lib",
        "/proc",
        "/run",
        "/sbin",
        "/sys",
        "/usr",
        "/var",
        "/var/run",
        "/var/lib/docker",
    }
)
"""Mounting the workspace over these would break or expose the container's system."""


def is_windows(pipeline: Pipeline) -> bool:
    """True for `platform: {os: windows}` (compared case-insensitively)."""
    return pipeline.platform is not None and pipeline.platform.os.lower() == WINDOWS


def is_absolute(path: str, *, windows: bool) -> bool:
    """Absolute on the pipeline's OS: `/x` anywhere; `C:\\x` and `\\\\server` on Windows."""
    if path.startswith("/"):
        return True
    return windows and (_DRIVE.match(path) is not None or path.startswith("\\\\"))


def absolute_rule(*, windows: bool) -> str:
    """How a message says what an absolute path is, for the pipeline's OS."""
    return "start with /, a drive such as C:\\ or \\\\" if windows else "start with /"


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkspacePaths:
    """Where the workspace volume is mounted (`base`), the path below it, and both joined."""

    base: str
    path: str
    full: str

    @property
    def usable(self) -> bool:
        """False when the base is relative or the workspace lands on a system directory."""
        return posixpath.isabs(self.base) and not ({self.base, self.full} & RESTRICTED)


def workspace_paths(pipeline: Pipeline) -> WorkspacePaths:
    """Drone's layout: `base` (default /drone/src, or an absolute `path` alone) + `path`."""
    written = pipeline.workspace
    base_text = (written.base if written else None) or ""
    path_text = (written.path if written else None) or ""
    if not base_text and posixpath.isabs(path_text):
        base, path = posixpath.normpath(path_text), ""
    else:
        base = posixpath.normpath(base_text) if base_text else DEFAULT_BASE
        path = path_text.strip("/")
    full = posixpath.normpath(posixpath.join(base, path)) if path else base
    return WorkspacePaths(base=base, path=path, full=full)


def mounts_docker_socket(host_path: str) -> bool:
    """True for the Docker engine's socket (Linux) or named pipe (Windows)."""
    return host_path.rstrip("/").endswith("/docker.sock") or host_path.lower().endswith(
        "pipe\\docker_engine"
    )


def host_volume_advice(host_path: str) -> str:
    """What an untrusted repository can do instead of a host volume at `host_path`."""
    if mounts_docker_socket(host_path):
        return (
            "it mounts the Docker socket, which gives the steps control of the host, so it "
            "needs a trusted repository"
        )
    return "for a cache or scratch directory, use `temp: {}` (a volume that lasts for the run)"
