"""Pass `graph`: the order of the steps as `depends_on` edges.

Without any `depends_on` the pipeline is serial: each step depends on the one before
it. Otherwise the edges are as written. Services have no edges and start before every
step, so an edge to a service (Drone accepts one) is already met and is dropped; so is an
edge to "clone", Drone's implicit first step, unless `clone: {disable: true}`. Unknown
names, duplicate names and cycles are ConfigErrors (the cycle is named). Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from conveyor.errors import ConfigError
from conveyor.plan.model import StepKind, StepPlan
from conveyor.spec.model import Pipeline, Step


def link_steps(pipeline: Pipeline, plans: Sequence[StepPlan]) -> tuple[StepPlan, ...]:
    """`plans` (services first, then steps, in spec order) with their `depends_on` set."""
    specs = [*pipeline.services, *pipeline.steps]
    _check_unique(specs)
    names = {spec.name for spec in specs}
    services = {service.name for service in pipeline.services}
    if _has_clone_step(pipeline) and CLONE_STEP not in names:
        names.add(CLONE_STEP)
        services.add(CLONE_STEP)  # met before any step runs, like a service
    steps = list(pipeline.steps)
    for step in steps:
        for index, name in enumerate(step.depends_on):
            if name not in names or name == step.name:
                problem = "itself" if name == step.name else f'"{name}", which does not exist'
                raise ConfigError(
                    f'step "{step.name}" depends on {problem}; name another step.',
                    span=step.span_of(f"depends_on[{index}]"),
                )
    _check_cycles(steps)
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
            edges = tuple(d for d in dict.fromkeys(spec.depends_on) if d not in services)
        linked.append(replace(plan, depends_on=edges))
        previous = plan.name
    return tuple(linked)


CLONE_STEP = "clone"


def _has_clone_step(pipeline: Pipeline) -> bool:
    return pipeline.clone is None or not pipeline.clone.disable


def _check_unique(specs: Sequence[Step]) -> None:
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise ConfigError(
                f'the name "{spec.name}" is used by two steps or services; rename one.',
                span=spec.span_of("name"),
            )
        seen.add(spec.name)


def _check_cycles(steps: Sequence[Step]) -> None:
    edges = {step.name: [d for d in step.depends_on if d != step.name] for step in steps}
    by_name = {step.name: step for step in steps}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root, children in edges.items():
        if state.get(root):
            continue
        path: list[str] = [root]
        stack = [iter(children)]
        state[root] = 1
        while stack:
            child = next(stack[-1], None)
            if child is None:
                state[path.pop()] = 2
                stack.pop()
            elif child not in edges or state.get(child) == 2:
                continue
            elif state.get(child) == 1:
                cycle = [*path[path.index(child) :], child]
                raise ConfigError(
                    f"depends_on forms a cycle: {' -> '.join(cycle)}; remove one of these edges.",
                    span=by_name[child].span_of("depends_on"),
                )
            else:
                state[child] = 1
                path.append(child)
                stack.append(iter(edges[child]))
