"""Pass `trust`: refuse trusted-only fields in untrusted builds (defence in depth).

`conveyor lint` reports the same fields with every other problem; the compiler checks
again so that no path to the runner skips the rule. Pure.
"""

from __future__ import annotations

from conveyor.compiler.context import BuildContext
from conveyor.compiler.passes import StepSource
from conveyor.errors import ConfigError
from conveyor.plan.model import StepPlan
from conveyor.rules.paths import host_volume_advice
from conveyor.spec.model import Pipeline
from conveyor.spec.trust import trusted_only_fields

HINT = "an admin can mark the repository trusted (`--trusted` for a local run)."


def check_step(plan: StepPlan, source: StepSource) -> StepPlan:
    """The plan unchanged, or ConfigError for the first trusted-only field."""
    if source.ctx.trusted:
        return plan
    used = trusted_only_fields(source.step)
    if used:
        raise ConfigError(
            f"`{used[0]}` of {source.label} is allowed only in trusted repositories; remove it.",
            span=source.step.span_of(used[0]),
            hint=HINT,
        )
    return plan


def check_pipeline(pipeline: Pipeline, ctx: BuildContext) -> None:
    """ConfigError for a host or memory volume in an untrusted build."""
    if ctx.trusted:
        return
    for volume in pipeline.volumes:
        if volume.host is not None:
            kind, field = "host", "host"
            advice = host_volume_advice(volume.host.path)
        elif volume.temp is not None and volume.temp.medium == "memory":
            kind, field, advice = "memory", "temp.medium", "use `temp: {}` instead"
        else:
            continue
        raise ConfigError(
            f'{kind} volume "{volume.name}" is allowed only in trusted repositories; {advice}.',
            span=volume.span_of(field),
            hint=HINT,
        )
