"""Pipeline intake: read the file at a commit with git, then lint, trigger and compile to stages.

`gitread` is the only part with I/O (the `git` program); `stages.plan_build` is pure.
"""

from __future__ import annotations

from conveyor.server.intake.from_hook import build_input_from_hook
from conveyor.server.intake.gitread import (
    CommitInfo,
    IntakeError,
    commit_info,
    read_file_at,
    resolve_commit,
)
from conveyor.server.intake.model import BuildInput, Intake, StagePlanned, StageStatus
from conveyor.server.intake.stages import plan_build

__all__ = [
    "BuildInput",
    "CommitInfo",
    "Intake",
    "IntakeError",
    "StagePlanned",
    "StageStatus",
    "build_input_from_hook",
    "commit_info",
    "plan_build",
    "read_file_at",
    "resolve_commit",
]
