"""`StageJob`: one stage as one value, everything that comes with the work.

Plan, secret values, credential sources, limits; it can travel as JSON (runner/job_codec.py).
The host that runs it provides the engine, the image guard, the event sink and the cancel flag
(runner/stage.py). Secret values never appear in its repr.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from conveyor.plan.model import Plan
from conveyor.registry.settings import RegistrySources
from conveyor.runner.run_loop import Limits

PULL_REQUEST = "pull_request"


@dataclass(frozen=True, slots=True, kw_only=True)
class StageJob:
    """Everything one stage needs besides the host's engine, guard, sink and cancel flag."""

    plan: Plan
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    """Secret name -> value; the plan refers to them by name."""
    pull_request_secrets: frozenset[str] = frozenset()
    """The secrets a pull request build may use; every other one is withheld from it."""
    build: Mapping[str, str] = field(default_factory=dict)
    """The build the plan was compiled for, as the registry plugin sees it (repo, branch,
    event, ref, commit...: the keys of registry.plugin.request_body)."""
    registry: RegistrySources = field(default_factory=RegistrySources)
    limits: Limits = field(default_factory=Limits)
    parallel: int = 4
    """Most steps running at once."""
    workspace_source: Path | None = None
    """A directory copied into the workspace volume before the first container starts."""
    workspace_exclude: tuple[Path, ...] = ()
    """Files of `workspace_source` that are not copied (secret files)."""
    extra_env: Mapping[str, str] = field(default_factory=dict, repr=False)
    """Environment of every step, below the plan's own."""

    @property
    def pull_request(self) -> bool:
        """Whether the build is a pull request (its secrets are then withheld)."""
        return self.build.get("event") == PULL_REQUEST

    def withheld_secrets(self) -> frozenset[str]:
        """The given secrets this build may not see: for a pull request, all but the allowed."""
        if not self.pull_request:
            return frozenset()
        return frozenset(name for name in self.secrets if name not in self.pull_request_secrets)

    def usable_secrets(self) -> dict[str, str]:
        """The secrets this build may see (the withheld ones taken out)."""
        withheld = self.withheld_secrets()
        return {name: value for name, value in self.secrets.items() if name not in withheld}
