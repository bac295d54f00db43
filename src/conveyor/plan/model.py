"""The runnable plan that the compiler produces and the runner executes.

A plan is plain data: images are normalised references, conditions that do not depend
on run time are already decided, and secrets appear only as references (environment
variable -> secret name), never as values, so a plan can be printed, stored and
golden-tested. Run ids, container names and labels are the runner's business.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from conveyor.images.policy import PullPolicy


class StepKind(StrEnum):
    """A service runs in the background for the whole run; a step runs to completion."""

    SERVICE = "service"
    STEP = "step"


class RunPolicy(StrEnum):
    """When a step runs, from `when: status`: the pipeline's state so far decides."""

    ON_SUCCESS = "on_success"
    """While nothing has failed (Drone's default)."""
    ON_FAILURE = "on_failure"
    """Only once something has failed (`status: [failure]`)."""
    ALWAYS = "always"
    """Either way (`status: [success, failure]`)."""

    def runs(self, *, failing: bool) -> bool:
        """Whether a step of this policy runs when the pipeline is (or is not) failing."""
        if self is RunPolicy.ALWAYS:
            return True
        return self is (RunPolicy.ON_FAILURE if failing else RunPolicy.ON_SUCCESS)


class FailurePolicy(StrEnum):
    """What a failed step does to the pipeline (`failure:`)."""

    FAIL = "fail"
    IGNORE = "ignore"
    """The step's failure does not fail the pipeline (`failure: ignore`)."""


class MountKind(StrEnum):
    """What backs a mount inside a container."""

    VOLUME = "volume"
    """A named volume created for the run (the workspace, `temp: {}` volumes)."""
    BIND = "bind"
    """A host path (`host: {path}` volumes; trusted only)."""
    TMPFS = "tmpfs"
    """A memory file system (`temp: {medium: memory}`; trusted only)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class VolumePlan:
    """A pipeline volume; the runner creates VOLUME kinds per run and removes them after."""

    name: str
    kind: MountKind
    host_path: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MountPlan:
    """Mount pipeline volume `volume` (or the workspace, `volume="workspace"`) at `target`."""

    volume: str
    target: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StepPlan:
    """One container to run. Services have kind SERVICE and are started before the steps."""

    name: str
    kind: StepKind
    image: str
    """Normalised reference, e.g. `docker.io/library/golang:1.12`."""
    pull: PullPolicy
    """Effective policy after the step, pipeline and runner defaults were applied."""
    entrypoint: tuple[str, ...] | None = None
    """None keeps the image's entrypoint; a `commands` step gets `/bin/sh -c`."""
    command: tuple[str, ...] | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    """Environment variable -> secret name; resolved by the runner just before the run."""
    depends_on: tuple[str, ...] = ()
    """Explicit edges: a serial pipeline gets each step depending on the previous one."""
    run_policy: RunPolicy = RunPolicy.ON_SUCCESS
    """From `when: status`: whether the step runs while the pipeline succeeds, fails, or both."""
    skip_reason: str | None = None
    """Set when a static `when` condition (branch, event, ...) excludes the step."""
    failure_policy: FailurePolicy = FailurePolicy.FAIL
    detach: bool = False
    privileged: bool = False
    mounts: tuple[MountPlan, ...] = ()
    working_dir: str | None = None
    user: str | None = None
    shm_size: int | None = None
    network_mode: str | None = None
    dns: tuple[str, ...] = ()
    dns_search: tuple[str, ...] = ()
    extra_hosts: tuple[str, ...] = ()
    devices: tuple[tuple[str, str], ...] = ()
    """(host path, container path) pairs."""
    cpu_limit: float | None = None
    mem_limit: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """Everything needed to run one pipeline, except secret values and run ids."""

    pipeline: str
    steps: tuple[StepPlan, ...]
    workspace_path: str
    """The steps' working directory: the workspace (`/drone/src` unless the spec says)."""
    workspace_base: str | None = None
    """Where the workspace volume is mounted, when it differs from `workspace_path`
    (`workspace: {base: /go, path: src/x}` mounts at `/go` and works in `/go/src/x`);
    None means `workspace_path`. The local copy of the sources goes to `workspace_path`."""
    volumes: tuple[VolumePlan, ...] = ()
    registry_secrets: tuple[str, ...] = ()
    """`image_pull_secrets`: names of secrets holding Docker config.json documents, in order."""
    trusted: bool = False
    skip_reason: str | None = None
    """Set when the pipeline's `trigger` excludes this build."""
