"""What the intake takes (`BuildInput`) and gives (`Intake` of `StagePlanned`): plain data.

A stage is one pipeline of the file, as Drone's `core.Stage`: its platform, `node:` labels,
dependencies, status and, for docker pipelines, the compiled plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from conveyor.plan.model import Plan
from conveyor.rpc.assignment import CloneOptions


class StageStatus(StrEnum):
    """The status a stage starts with (Drone's words)."""

    PENDING = "pending"
    SKIPPED = "skipped"
    WAITING = "waiting_on_dependencies"


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildInput:
    """The build the pipeline file is planned for (from a webhook or `POST .../builds`)."""

    repo: str
    event: str
    branch: str
    ref: str
    commit: str
    before: str = ""
    source: str = ""
    target: str = ""
    message: str = ""
    author: str = ""
    author_name: str = ""
    author_email: str = ""
    link: str = ""
    sender: str = ""
    trusted: bool = False
    number: int = 1
    created: int = 0
    parameters: Mapping[str, str] = field(default_factory=dict)
    config_path: str = ".drone.yml"
    action: str = ""
    """`opened` / `synchronized` for pull requests (`when: action`)."""
    instance: str = "localhost"
    """The server's host name (`when: instance`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StagePlanned:
    """One pipeline of the file, ready to be stored and queued."""

    number: int
    """1-based, in file order."""
    name: str
    type: str
    kind: str = "pipeline"
    os: str = "linux"
    arch: str = "amd64"
    variant: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    depends_on: tuple[str, ...] = ()
    """Names of the stages this one waits for (skipped ones are looked through, as Drone)."""
    status: StageStatus = StageStatus.PENDING
    skip_reason: str | None = None
    plan: Plan | None = None
    """The plan of `conveyor compile` for docker pipelines; None for other types."""
    plan_json: str | None = None
    """`plan` as the JSON the server stores and the agent receives (`plan_to_json(plan)`),
    encoded when planned, so not while the build's write transaction holds the lock."""
    secret_names: tuple[str, ...] = ()
    """Every secret the stage names: from_secret, image_pull_secrets, plugin settings."""
    trusted: bool = False
    limit: int = 0
    """The pipeline's `concurrency: limit` (0: none)."""
    on_success: bool = True
    on_failure: bool = False
    """From `trigger: status`, as Drone: a stage runs when the build state matches."""
    clone: CloneOptions = field(default_factory=CloneOptions)
    """The pipeline's `clone:`; unless disabled, the agent's checkout is the stage's step 1."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Intake:
    """The stages of a build, or the error that fails it (every diagnostic, with its line)."""

    stages: list[StagePlanned]
    error: str | None = None
