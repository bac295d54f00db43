"""Pass `pull`: the effective pull policy of a step (step, else pipeline, else runner).

An admin may restrict the policies pipelines can use (`allowed_pull_policies`); a step
that ends up with a refused policy is a ConfigError that names where the policy came
from (this admin restriction is the compiler's own check). The `pull:` vocabulary is the rule
book's (`conveyor.rules.vocabulary`): case-insensitive, and Drone 0.8's `pull: true` is the
default. Pure.
"""

from __future__ import annotations

from dataclasses import replace

from conveyor.compiler.passes import StepSource
from conveyor.errors import ConfigError
from conveyor.images.policy import PullPolicy
from conveyor.plan.model import StepPlan
from conveyor.rules.vocabulary import pull_policy
from conveyor.source import Span

VALID = ", ".join(policy.value for policy in PullPolicy)


def resolve_pull(plan: StepPlan, source: StepSource) -> StepPlan:
    """The step's policy after the step, pipeline and runner defaults were applied."""
    step, pipeline, ctx = source.step, source.pipeline, source.ctx
    if step.pull is not None:
        policy = _parse(step.pull, step.span_of("pull"))
        origin, span = f"{source.label} sets", step.span_of("pull")
    elif pipeline.pull is not None:
        policy = _parse(pipeline.pull, pipeline.span_of("pull"))
        origin, span = f'pipeline "{pipeline.name}" sets', pipeline.span_of("pull")
    else:
        policy = ctx.runner_pull_default
        origin, span = "the runner's default is", step.span
    allowed = ctx.allowed_pull_policies
    if allowed is not None and policy not in allowed:
        choices = ", ".join(p.value for p in PullPolicy if p in allowed) or "none"
        raise ConfigError(
            f"{origin} pull policy {policy.value}, which this runner does not allow; "
            f"use one of: {choices}.",
            span=span,
        )
    return replace(plan, pull=policy)


def _parse(text: str, span: Span) -> PullPolicy:
    policy = pull_policy(text)
    if policy is None:
        raise ConfigError(f'"{text}" is not a pull policy; use one of: {VALID}.', span=span)
    return policy
