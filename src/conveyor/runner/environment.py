"""A step's container environment: the plan's variables, extra ones, and secret values.

Secrets are resolved here, just before the run, and only into the `ContainerEnv` value that
goes to the engine. Messages name secrets, never their values.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from conveyor.engine.contract import ContainerEnv
from conveyor.errors import SecretError
from conveyor.plan.model import StepPlan


def missing_secrets(
    steps: Iterable[StepPlan], secrets: Mapping[str, str], withheld: Collection[str] = ()
) -> dict[str, list[str]]:
    """Secret name -> the steps that need it, for secrets that were not given (nor withheld)."""
    missing: dict[str, list[str]] = {}
    for step in steps:
        for name in step.secrets.values():
            if name not in secrets and name not in withheld:
                missing.setdefault(name, []).append(step.name)
    return missing


def require_secrets(
    steps: Iterable[StepPlan], secrets: Mapping[str, str], withheld: Collection[str] = ()
) -> None:
    """Raise SecretError naming every secret that a step needs and nobody gave.

    A `withheld` secret (a pull request build) is not missing: its variable stays unset.
    """
    missing = missing_secrets(steps, secrets, withheld)
    if not missing:
        return
    parts = [f"{name!r} (step {', '.join(map(repr, users))})" for name, users in missing.items()]
    noun = "secret" if len(missing) == 1 else "secrets"
    first = next(iter(missing))
    raise SecretError(
        f"{noun} {', '.join(parts)} not given; "
        "pass it with --secret-file FILE or --secret NAME=VALUE",
        hint=f"a secret file holds one NAME=VALUE per line, e.g. {first}=...",
    )


def container_environment(
    step: StepPlan, secrets: Mapping[str, str], extra: Mapping[str, str] | None = None
) -> ContainerEnv:
    """`extra` (e.g. --env-file), overridden by the plan's variables, then the step's secrets."""
    values: dict[str, str] = dict(extra or {})
    values.update(step.environment)
    for variable, name in step.secrets.items():
        if name in secrets:  # require_secrets ran: an absent one was withheld on purpose
            values[variable] = secrets[name]
    return ContainerEnv(values=values)
