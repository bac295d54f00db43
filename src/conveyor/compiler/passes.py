"""What every step pass reads: the spec step, its pipeline, its position and the build.

A pass is a small function `(StepPlan, StepSource) -> StepPlan` that fills in one
concern of the plan and raises `errors.ConfigError` (with the span of the offending
field) when the spec cannot be compiled. Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from conveyor.compiler.context import BuildContext
from conveyor.plan.model import StepKind, StepPlan
from conveyor.spec.model import Pipeline, PipelineVolume, Step


@dataclass(frozen=True, slots=True, kw_only=True)
class Layout:
    """Where the workspace lives, and the pipeline's volumes by name."""

    base: str
    """Where the workspace volume is mounted (`/drone/src` by default)."""
    path: str
    """The workspace's path below `base` (`""` when the workspace is the volume's root)."""
    full: str
    """The working directory of the steps: `base` joined with `path`."""
    volumes: Mapping[str, PipelineVolume] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class StepSource:
    """One step or service to compile, with everything around it."""

    pipeline: Pipeline
    step: Step
    kind: StepKind
    number: int
    """1-based position among all containers (services first), as `DRONE_STEP_NUMBER`."""
    ctx: BuildContext
    layout: Layout
    system_environment: Mapping[str, str] = field(default_factory=dict)
    """The `CI_*`/`DRONE_*` variables shared by every step of the pipeline."""

    @property
    def label(self) -> str:
        """`step "build"` or `service "db"`, for messages."""
        return f'{self.kind} "{self.step.name}"'


StepPass = Callable[[StepPlan, StepSource], StepPlan]
"""One concern of compiling a step: returns the plan with that concern filled in."""
