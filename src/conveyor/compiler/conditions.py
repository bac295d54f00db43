"""Pass `when` and the pipeline `trigger`: conditions decided before the run starts.

Branch, event, ref, repo, instance, target, cron and action are known when compiling, so
a step whose `when` excludes this build gets a `skip_reason`, and a pipeline whose
`trigger` excludes it gets `Plan.skip_reason`. `when: status` depends on the run and
becomes the step's `RunPolicy` (default: on success only), as in Drone. Pure.
"""

from __future__ import annotations

from dataclasses import replace

from conveyor.compiler.context import BuildContext
from conveyor.compiler.passes import StepSource
from conveyor.plan.model import RunPolicy, StepPlan
from conveyor.rules.globs import glob_match
from conveyor.spec.model import Conditions, Constraint

STATIC_KEYS = ("branch", "event", "ref", "repo", "instance", "target", "cron", "action")


def constraint_match(constraint: Constraint, value: str) -> bool:
    """Drone's rule: an exclude match refuses; else an include match, or no include, accepts."""
    if any(glob_match(pattern, value) for pattern in constraint.exclude):
        return False
    if any(glob_match(pattern, value) for pattern in constraint.include):
        return True
    return not constraint.include


def static_skip_reason(conditions: Conditions | None, ctx: BuildContext, where: str) -> str | None:
    """Why `conditions` exclude this build (`where` is `when` or `trigger`), or None."""
    if conditions is None:
        return None
    for key in STATIC_KEYS:
        constraint: Constraint = getattr(conditions, key)
        value: str = getattr(ctx, key)
        if constraint_match(constraint, value):
            continue
        if any(glob_match(pattern, value) for pattern in constraint.exclude):
            return f'{key} "{value}" is excluded by {where}.{key} ({_list(constraint.exclude)})'
        return f'{key} "{value}" is not in {where}.{key} ({_list(constraint.include)})'
    return None


def _list(patterns: tuple[str, ...]) -> str:
    return ", ".join(patterns)


def status_policy(conditions: Conditions | None) -> RunPolicy:
    """The run policy of `when: status`."""
    status = conditions.status if conditions is not None else Constraint()
    if not status.include and not status.exclude:
        return RunPolicy.ON_SUCCESS
    if not constraint_match(status, "failure"):
        return RunPolicy.ON_SUCCESS  # Drone: a status list that names neither means the default
    return RunPolicy.ALWAYS if constraint_match(status, "success") else RunPolicy.ON_FAILURE


def apply_when(plan: StepPlan, source: StepSource) -> StepPlan:
    """Decide the static conditions; keep the status ones for the runner."""
    when = source.step.when
    return replace(
        plan,
        skip_reason=static_skip_reason(when, source.ctx, "when"),
        run_policy=status_policy(when),
    )
