"""Pass `workspace` and the pipeline volumes: where the workspace is, what each step mounts.

The workspace is a volume mounted in every container at its base (`/drone/src` by
default, or `workspace.path` when it is absolute and no `base` is given, or `base`), and
the working directory of the steps is the base joined with a relative `path`. Pipeline
volumes become `VolumePlan`s: `temp: {}` a per-run VOLUME, `temp: {medium: memory}` a
TMPFS, `host: {path}` a BIND. Pure.
"""

from __future__ import annotations

import posixpath
from dataclasses import replace

from conveyor.compiler.passes import Layout, StepSource
from conveyor.errors import ConfigError
from conveyor.plan.model import MountKind, MountPlan, StepKind, StepPlan, VolumePlan
from conveyor.spec.model import Pipeline, PipelineVolume

DEFAULT_BASE = "/drone/src"
WORKSPACE_VOLUME = "workspace"
"""The name MountPlan uses for the workspace; a pipeline volume may not take it."""

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


def workspace_layout(pipeline: Pipeline) -> Layout:
    """The workspace of `pipeline` and its volumes by name; ConfigError for a bad path."""
    written = pipeline.workspace
    base_text = (written.base if written else None) or ""
    path_text = (written.path if written else None) or ""
    if not base_text and posixpath.isabs(path_text):
        base, path = posixpath.normpath(path_text), ""
    else:
        base = posixpath.normpath(base_text) if base_text else DEFAULT_BASE
        path = path_text.strip("/")
    full = posixpath.normpath(posixpath.join(base, path)) if path else base
    if not posixpath.isabs(base) or base in RESTRICTED or full in RESTRICTED:
        raise ConfigError(
            f'workspace "{full}" cannot be used; choose an absolute path of its own, '
            f"such as {DEFAULT_BASE}.",
            span=pipeline.span_of("workspace"),
        )
    return Layout(base=base, path=path, full=full, volumes=_volumes_by_name(pipeline))


def _volumes_by_name(pipeline: Pipeline) -> dict[str, PipelineVolume]:
    found: dict[str, PipelineVolume] = {}
    for index, volume in enumerate(pipeline.volumes):
        where = pipeline.span_of(f"volumes[{index}]")
        if volume.name == WORKSPACE_VOLUME:
            raise ConfigError(
                f'volume name "{WORKSPACE_VOLUME}" is reserved for the workspace; rename it.',
                span=where,
            )
        if volume.name in found:
            raise ConfigError(f'volume "{volume.name}" is declared twice; keep one.', span=where)
        found[volume.name] = volume
    return found


def plan_volumes(pipeline: Pipeline) -> tuple[VolumePlan, ...]:
    """The pipeline's volumes for the runner (the workspace is implicit)."""
    return tuple(_volume_plan(volume) for volume in pipeline.volumes)


def _volume_plan(volume: PipelineVolume) -> VolumePlan:
    if volume.host is not None:
        return VolumePlan(name=volume.name, kind=MountKind.BIND, host_path=volume.host.path)
    if volume.temp is not None and volume.temp.medium == "memory":
        return VolumePlan(name=volume.name, kind=MountKind.TMPFS)
    return VolumePlan(name=volume.name, kind=MountKind.VOLUME)


def apply_workspace(plan: StepPlan, source: StepSource) -> StepPlan:
    """Mount the workspace and the step's volumes; default the working directory."""
    step, layout = source.step, source.layout
    mounts = [MountPlan(volume=WORKSPACE_VOLUME, target=layout.base)]
    for index, mount in enumerate(step.volumes):
        if mount.name not in layout.volumes:
            known = ", ".join(sorted(layout.volumes)) or "none are declared"
            raise ConfigError(
                f'{source.label} mounts volume "{mount.name}", which the pipeline does not '
                f"declare; declare it under `volumes:` (declared: {known}).",
                span=step.span_of(f"volumes[{index}]"),
            )
        mounts.append(MountPlan(volume=mount.name, target=mount.path))
    working_dir = step.working_dir
    background = step.detach or source.kind == StepKind.SERVICE
    if working_dir is None and (step.commands or not background):
        # Drone: plugins run in the workspace too; a background container without
        # commands keeps its image's working directory.
        working_dir = layout.full
    return replace(plan, mounts=tuple(mounts), working_dir=working_dir)
