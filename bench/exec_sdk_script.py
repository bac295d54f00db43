"""The baseline of bench_exec_overhead: a plain Docker SDK script doing a run's Docker calls.

What a person would write to run N serial `commands` steps by hand, making the same calls as a
`conveyor exec` run: connect (API version negotiation), create a network and a workspace volume,
copy the current directory into the workspace, then per step create (same image, entrypoint,
script in the environment, workspace mount, network alias), attach, start, read the output to
stdout, wait and remove; finally remove the network and the volume. No Conveyor import.

    python bench/exec_sdk_script.py [--steps 10] [--image ci-test/busybox:1] [--command true]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tarfile
import uuid
from pathlib import Path
from typing import Any

import docker
from docker.types import Mount, NetworkingConfig
from docker.utils.socket import frames_iter

WORKSPACE = "/drone/src"


def workspace_tar(source: Path) -> bytes:
    """The current directory as a tar, as `conveyor exec` copies it into the workspace."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for child in sorted(source.iterdir()):
            tar.add(child, arcname=child.name)
    return buffer.getvalue()


def step_env(name: str, command: str) -> dict[str, str]:
    """The script and the few variables a hand-written runner would set."""
    script = f"set -e\nprintf '+ %s\\n' '{command}'\n{command}\n"
    return {"CI": "true", "DRONE": "true", "DRONE_STEP_NAME": name, "DRONE_SCRIPT": script}


def run_step(api: Any, prefix: str, index: int, image: str, command: str) -> int:
    """Create, attach, start, copy the output to stdout, wait, remove; the exit code."""
    name = f"step{index}"
    host = api.create_host_config(
        mounts=[Mount(WORKSPACE, f"{prefix}-workspace")], network_mode=prefix
    )
    endpoints: Any = {prefix: api.create_endpoint_config(aliases=[name])}
    created = api.create_container(
        image,
        name=f"{prefix}-{name}",
        entrypoint=["/bin/sh", "-c"],
        command=['eval "$DRONE_SCRIPT"'],
        environment=step_env(name, command),
        working_dir=WORKSPACE,
        host_config=host,
        networking_config=NetworkingConfig(endpoints),
    )
    ident = created["Id"]
    if index == 0:  # the first step: seed the workspace before it starts
        api.put_archive(ident, WORKSPACE, workspace_tar(Path.cwd()))
    params = {"stdout": 1, "stderr": 1, "stream": 1, "logs": 0}
    sock = api.attach_socket(ident, params=params)
    api.start(ident)
    raw = getattr(sock, "_sock", sock)
    raw.settimeout(None)
    out = sys.stdout.buffer
    for _, data in frames_iter(raw, tty=False):  # type: ignore[no-untyped-call]
        out.write(data)
    raw.close()
    code = int(api.wait(ident)["StatusCode"])
    api.remove_container(ident, force=True, v=True)
    return code


def main() -> int:
    """Run the steps in series; exit 1 when one fails (the rest are skipped)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--image", default="ci-test/busybox:1")
    parser.add_argument("--command", default="true")
    args = parser.parse_args()
    api = docker.from_env().api
    prefix = f"sdk-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    api.create_network(prefix, driver="bridge")
    api.create_volume(f"{prefix}-workspace")
    code = 0
    try:
        for index in range(args.steps):
            code = run_step(api, prefix, index, args.image, args.command)
            if code != 0:
                break
    finally:
        api.remove_network(prefix)
        api.remove_volume(f"{prefix}-workspace", force=True)
    return 0 if code == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
