"""The `Engine` protocol that the runner drives, and the plain values that cross it.

A backend (Docker, the fake of the tests) implements these calls; it never schedules, decides
pulls or masks secrets. Every resource it creates carries the labels of `engine.labels`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from conveyor.plan.model import StepPlan, VolumePlan

if TYPE_CHECKING:
    from conveyor.images.credentials import Credential
    from conveyor.images.reference import Reference


class LogStream(StrEnum):
    """Which output of a container a chunk of bytes came from."""

    STDOUT = "stdout"
    STDERR = "stderr"


class ResourceKind(StrEnum):
    """The kinds of engine objects a run creates."""

    CONTAINER = "container"
    NETWORK = "network"
    VOLUME = "volume"


@dataclass(frozen=True, slots=True, kw_only=True)
class Owner:
    """The process that owns a run: its pid, its start time (guards pid reuse) and host."""

    pid: int
    start: str
    host: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RunSpec:
    """What a backend needs to set a run up: ids, volumes, and the directory to copy in."""

    run_id: str
    owner: Owner
    workspace_path: str
    """The steps' working directory, where the sources are copied."""
    workspace_base: str | None = None
    """Where the workspace volume is mounted when it is not `workspace_path` (a parent)."""
    volumes: tuple[VolumePlan, ...] = ()
    workspace_source: Path | None = None
    """A directory copied into the workspace volume before the first container starts."""
    workspace_exclude: tuple[Path, ...] = ()
    """Files of `workspace_source` that are not copied (secret files)."""

    @property
    def workspace_mount(self) -> str:
        """The mount point of the workspace volume."""
        return self.workspace_base or self.workspace_path


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageInfo:
    """An image present in the engine's cache."""

    image_id: str
    repo_digests: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Leftover:
    """A labelled resource of some run, with whether its owner process is still alive."""

    kind: ResourceKind
    ident: str
    name: str
    run_id: str
    owner_alive: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ContainerEnv:
    """The environment of one container; values may hold secrets, so they are never printed."""

    values: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class PullProgress:
    """One progress event: layer id (may be empty), status text, bytes done and total."""

    layer: str
    status: str
    current: int | None
    total: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PullResult:
    """A successful pull: the reference pulled, its digest, image id and the login that worked.

    `image_id` is "" only if another process removed the image between the pull and the
    inspection that follows it.
    """

    reference: str
    digest: str | None
    image_id: str
    credential: Credential | None
    attempts: int


class Engine(Protocol):
    """The calls a runner makes; each may raise `errors.EngineError` (PullError for pulls)."""

    def setup(self, run: RunSpec) -> None:
        """Create the run's network, workspace volume and pipeline volumes."""

    def image_info(self, reference: str) -> ImageInfo | None:
        """The cached image for `reference`, or None when the engine does not have it."""

    def pull(
        self,
        reference: Reference,
        candidates: Sequence[Credential],
        on_progress: Callable[[PullProgress], None] | None = None,
    ) -> PullResult:
        """Pull `reference`, trying `candidates` in order (engine.pull semantics)."""

    def create(self, run: RunSpec, step: StepPlan, env: ContainerEnv) -> str:
        """Create the container of `step` (not started); returns its id."""

    def start(self, container: str) -> Iterator[tuple[LogStream, bytes]]:
        """Start the container; returns its output, which ends when the container exits."""

    def wait(self, container: str, timeout: float | None = None) -> int | None:
        """The exit code, or None if the container still runs after `timeout` seconds."""

    def stop(self, container: str, grace: float = 2.0) -> None:
        """Stop the container (SIGTERM, then SIGKILL after `grace` seconds); never raises."""

    def remove(self, container: str) -> None:
        """Remove the container (forced); never raises."""

    def destroy(self, run: RunSpec) -> list[str]:
        """Remove every container, network and volume of the run; returns warnings."""

    def leftovers(self) -> list[Leftover]:
        """Every resource labelled by any Conveyor run, with its owner's liveness."""

    def remove_leftovers(self, leftovers: Sequence[Leftover]) -> list[str]:
        """Remove those resources (containers first); returns warnings."""
