"""What the compiler knows about the build it compiles for: repository, commit, event, runner.

Pure data. Everything that would otherwise come from the clock, the network or the
environment (the creation time, the runner's name) is passed in here, so that the same
spec and context always give the same plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from conveyor.images.policy import PullPolicy


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildContext:
    """The build a plan is compiled for; `trusted` unlocks the trusted-only fields."""

    repo: str = "local/workspace"
    """`owner/name` of the repository (`DRONE_REPO`)."""
    branch: str = "main"
    event: str = "push"
    """`push`, `pull_request`, `tag`, `promote`, `rollback`, `cron`, `custom`."""
    ref: str = "refs/heads/main"
    commit: str = "0" * 40
    build_number: int = 1
    trusted: bool = False
    runner_pull_default: PullPolicy = PullPolicy.DEFAULT
    """The runner's pull policy for steps and pipelines that name none."""
    allowed_pull_policies: frozenset[PullPolicy] | None = None
    """Admin restriction on the policies a pipeline may use; None allows all."""
    instance: str = "localhost"
    """The server's host name (`when: instance`, `DRONE_SYSTEM_HOST`)."""
    target: str = ""
    """The deployment target of a `promote`/`rollback` event (`DRONE_DEPLOY_TO`)."""
    cron: str = ""
    """The name of the cron job that started the build, if any."""
    action: str = ""
    """The event's action, such as `opened` or `synchronized` for a pull request."""
    created: int = 0
    """Unix time of the build's creation, injected so that plans are deterministic."""
    runner_name: str = "conveyor-local"


def build_values(context: BuildContext) -> dict[str, str]:
    """The build as Drone's extensions see it (the registry plugin: the keys of
    registry.plugin.request_body), so that a stage job carries the build its plan was made for."""
    values = {
        "repo": context.repo,
        "branch": context.branch,
        "event": context.event,
        "ref": context.ref,
        "commit": context.commit,
        "build_number": str(context.build_number),
        "trusted": "true" if context.trusted else "false",
        "created": str(context.created),
    }
    optional = {"action": context.action, "target": context.target, "cron": context.cron}
    values.update({key: value for key, value in optional.items() if value})
    return values
