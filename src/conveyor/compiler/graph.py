"""Pass `graph`: the order of the steps as `depends_on` edges.

Without any `depends_on` the pipeline is serial: each step depends on the one before it.
Otherwise the edges are as written. What a dependency may name is the rule book's
(`conveyor.rules.dependencies`): a step, a service (the step then starts once the service
has started; services have no edges themselves) or "clone", Drone's implicit first step,
which is already met and is dropped. Unknown names, duplicate names and cycles are
ConfigErrors (the cycle is named). Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from conveyor.errors import ConfigError
from conveyor.plan.model import StepKind, StepPlan
from conveyor.rules.dependencies import Target, find_cycles, step_targets
from conveyor.spec.model import Pipeline, Step


def link_steps(pipeline: Pipeline, plans: Sequence[StepPlan]) -> tuple[StepPlan, ...]:
    """`plans` (services first, then steps, in spec order) with their `depends_on` set."""
    specs = [*pipeline.services, *pipeline.steps]
    _check_unique(specs)
    targets = step_targets(pipeline)
    steps = list(pipeline.steps)
    for step in steps:
        for index, name in enumerate(step.depends_on):
            if name not in targets or name == step.name:
                problem = "itself" if name == step.name else f'"{name}", which does not exist'
                raise ConfigError(
                    f'step "{step.name}" depends on {problem}; name another step or a service.',
                    span=step.span_of(f"depends_on[{index}]"),
                )
    _check_cycles(steps, targets)
    serial = not any(step.depends_on for step in steps)
    linked: list[StepPlan] = []
    previous: str | None = None
    for plan, spec in zip(plans, specs, strict=True):
        if plan.kind == StepKind.SERVICE:
            linked.append(replace(plan, depends_on=()))
            continue
        edges: tuple[str, ...]
        if serial:
            edges = (previous,) if previous is not None else ()
        else:
            edges = tuple(d for d in dict.fromkeys(spec.depends_on) if targets[d] != Target.CLONE)
        linked.append(replace(plan, depends_on=edges))
        previous = plan.name
    return tuple(linked)


def _check_unique(specs: Sequence[Step]) -> None:
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise ConfigError(
                f'the name "{spec.name}" is used by two steps or services; rename one.',
                span=spec.span_of("name"),
            )
        seen.add(spec.name)


def _check_cycles(steps: Sequence[Step], targets: dict[str, Target]) -> None:
    graph = {
        step.name: [d for d in step.depends_on if targets.get(d) is Target.STEP] for step in steps
    }
    cycles = find_cycles(graph)
    if cycles:
        cycle = cycles[0]
        by_name = {step.name: step for step in steps}
        raise ConfigError(
            f"depends_on forms a cycle: {' -> '.join(cycle)}; remove one of these edges.",
            span=by_name[cycle[0]].span_of("depends_on"),
        )
