"""Translation of a StepPlan into the Docker Engine API's container settings, and resource names.

Pure: builds dicts and `docker.types` values only, no call to the daemon. Names are
`conveyor-<run id>-...` so a run's resources are easy to spot in `docker ps`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from docker.types import Mount

from conveyor.engine import labels
from conveyor.engine.contract import ContainerEnv, RunSpec
from conveyor.errors import ConfigError
from conveyor.plan.model import MountKind, StepPlan, VolumePlan

WORKSPACE = "workspace"
"""The name by which a MountPlan refers to the run's workspace volume."""

_UNSAFE = re.compile(r"[^a-zA-Z0-9_.-]+", re.ASCII)


def safe_name(text: str) -> str:
    """`text` made valid for a Docker object name; a short hash keeps altered names distinct."""
    cleaned = _UNSAFE.sub("-", text).strip("-.") or "x"
    if cleaned == text:
        return cleaned
    digest = hashlib.sha256(text.encode()).hexdigest()[:6]
    return f"{cleaned[:50]}-{digest}"


def network_name(run_id: str) -> str:
    """The run's own bridge network."""
    return f"conveyor-{run_id}"


def volume_name(run_id: str, volume: str) -> str:
    """The engine name of pipeline volume `volume` (or of the workspace) for run `run_id`."""
    return f"conveyor-{run_id}-{safe_name(volume)}"


def container_name(run_id: str, step: str) -> str:
    """The container of step `step` in run `run_id`."""
    return f"conveyor-{run_id}-{safe_name(step)}"


def mounts_for(run: RunSpec, step: StepPlan) -> list[Mount]:
    """The step's mounts, plus the workspace when the plan does not mount it (or over it)."""
    by_name: Mapping[str, VolumePlan] = {volume.name: volume for volume in run.volumes}
    mounts: list[Mount] = []
    if not any(m.volume == WORKSPACE or m.target == run.workspace_mount for m in step.mounts):
        mounts.append(Mount(run.workspace_mount, volume_name(run.run_id, WORKSPACE)))
    for mount in step.mounts:
        if mount.volume == WORKSPACE:
            mounts.append(Mount(mount.target, volume_name(run.run_id, WORKSPACE)))
            continue
        volume = by_name.get(mount.volume)
        if volume is None:
            raise ConfigError(
                f"step {step.name!r} mounts volume {mount.volume!r}, which the pipeline "
                "does not declare; add it under `volumes:`"
            )
        mounts.append(_mount(run.run_id, volume, mount.target))
    return mounts


def _mount(run_id: str, volume: VolumePlan, target: str) -> Mount:
    if volume.kind is MountKind.BIND:
        return Mount(target, volume.host_path or "", type="bind")
    if volume.kind is MountKind.TMPFS:
        return Mount(target, None, type="tmpfs")
    return Mount(target, volume_name(run_id, volume.name))


def host_config_args(run: RunSpec, step: StepPlan) -> dict[str, Any]:
    """Keyword arguments of `APIClient.create_host_config` for `step`."""
    args: dict[str, Any] = {
        "mounts": mounts_for(run, step),
        "network_mode": step.network_mode or network_name(run.run_id),
        "privileged": step.privileged,
    }
    optional: dict[str, Any] = {
        "shm_size": step.shm_size,
        "mem_limit": step.mem_limit,
        "nano_cpus": int(step.cpu_limit * 1e9) if step.cpu_limit else None,
        "dns": list(step.dns) or None,
        "dns_search": list(step.dns_search) or None,
        "extra_hosts": list(step.extra_hosts) or None,
        "devices": [f"{host}:{inside}:rwm" for host, inside in step.devices] or None,
    }
    args.update({key: value for key, value in optional.items() if value is not None})
    return args


def container_args(run: RunSpec, step: StepPlan, env: ContainerEnv) -> dict[str, Any]:
    """Keyword arguments of `APIClient.create_container`, except host and networking config."""
    step_labels = labels.owner_labels(run.run_id, run.owner)
    step_labels[labels.STEP] = step.name
    return {
        "image": step.image,
        "name": container_name(run.run_id, step.name),
        "entrypoint": list(step.entrypoint) if step.entrypoint is not None else None,
        "command": list(step.command) if step.command is not None else None,
        "environment": dict(env.values),
        "working_dir": step.working_dir or run.workspace_path,
        "user": step.user,
        "labels": step_labels,
        "tty": False,
        "stdin_open": False,
        "use_config_proxy": False,
    }


def aliases_for(step: StepPlan) -> list[str] | None:
    """Names by which other containers reach `step` on the run network (None off it)."""
    return None if step.network_mode else [step.name]
