"""Pass `workspace` and the pipeline volumes: where the workspace is, what each step mounts.

The workspace is a volume mounted in every container at its base (`/drone/src` by
default, or `workspace.path` when it is absolute and no `base` is given, or `base`), and
the working directory of the steps is the base joined with a relative `path`. Pipeline
volumes become `VolumePlan`s: `temp: {}` a per-run VOLUME, `temp: {medium: memory}` a
TMPFS, `host: {path}` a BIND. A step's mount of a volume the pipeline does not declare is
skipped, as Drone skips it (lint warns, W141). Pure.
"""

from __future__ import annotations

from dataclasses import replace

from conveyor.compiler.passes import Layout, StepSource
from conveyor.errors import ConfigError
from conveyor.plan.model import MountKind, MountPlan, StepKind, StepPlan, VolumePlan
from conveyor.rules.paths import DEFAULT_BASE, WORKSPACE_VOLUME, workspace_paths
from conveyor.spec.model import Pipeline, PipelineVolume


def workspace_layout(pipeline: Pipeline) -> Layout:
    """The workspace of `pipeline` and its volumes by name; ConfigError for a bad path."""
    paths = workspace_paths(pipeline)
    if not paths.usable:
        raise ConfigError(
            f'workspace "{paths.full}" cannot be used; choose an absolute path of its own, '
            f"such as {DEFAULT_BASE}.",
            span=pipeline.span_of("workspace"),
        )
    return Layout(
        base=paths.base, path=paths.path, full=paths.full, volumes=_volumes_by_name(pipeline)
    )


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
    for mount in step.volumes:
        if mount.name in layout.volumes:  # Drone skips a mount of an undeclared volume
            mounts.append(MountPlan(volume=mount.name, target=mount.path))
    working_dir = step.working_dir
    background = step.detach or source.kind == StepKind.SERVICE
    if working_dir is None and (step.commands or not background):
        # Drone: plugins run in the workspace too; a background container without
        # commands keeps its image's working directory.
        working_dir = layout.full
    return replace(plan, mounts=tuple(mounts), working_dir=working_dir)
