"""Pass `options`: container options copied from the spec, and the `failure` policy (its
vocabulary is the rule book's, `conveyor.rules.vocabulary`).

Trusted-only options are checked by the `trust` pass before this one. Pure.
"""

from __future__ import annotations

from dataclasses import replace

from conveyor.compiler.passes import StepSource
from conveyor.errors import ConfigError
from conveyor.plan.model import FailurePolicy, StepPlan
from conveyor.rules.vocabulary import failure_ignores


def apply_options(plan: StepPlan, source: StepSource) -> StepPlan:
    """detach, privileged, user, resources, network settings, devices and `failure`."""
    step = source.step
    ignore = failure_ignores(step.failure)
    if ignore is None:
        raise ConfigError(
            f'failure "{step.failure}" of {source.label} is not known; '
            "use `failure: ignore` or leave it out.",
            span=step.span_of("failure"),
        )
    return replace(
        plan,
        failure_policy=FailurePolicy.IGNORE if ignore else FailurePolicy.FAIL,
        detach=step.detach,
        privileged=step.privileged,
        user=step.user,
        shm_size=step.shm_size,
        network_mode=step.network_mode,
        dns=step.dns,
        dns_search=step.dns_search,
        extra_hosts=step.extra_hosts,
        devices=tuple((device.name, device.path) for device in step.devices),
        cpu_limit=step.cpu_limit,
        mem_limit=step.mem_limit,
    )
