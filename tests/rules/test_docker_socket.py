"""Which host paths are the Docker engine's socket or named pipe (the untrusted host-volume
error then says that it needs a trusted repository, not a `temp: {}` volume)."""

from __future__ import annotations

import pytest

from conveyor.rules.paths import host_volume_advice, mounts_docker_socket


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/var/run/docker.sock", True),
        ("/run/docker.sock/", True),
        (r"\\.\pipe\docker_engine", True),
        (r"\\\\.\\pipe\\docker_engine", True),  # a plain YAML scalar keeps doubled backslashes
        (r"\\.\PIPE\Docker_Engine", True),
        ("/var/cache/go", False),
        (r"C:\cache", False),
        ("/var/run/docker.socket", False),
    ],
)
def test_docker_socket_paths(path: str, expected: bool) -> None:
    assert mounts_docker_socket(path) is expected


def test_the_advice_differs_for_the_socket_and_a_cache() -> None:
    assert "trusted" in host_volume_advice(r"\\\\.\\pipe\\docker_engine")
    assert "temp: {}" in host_volume_advice("/var/cache/go")
