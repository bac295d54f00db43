"""What a `depends_on` may name, and cycles in a dependency graph.

Drone's rule: a step may depend on the steps and services of its pipeline and on "clone",
its implicit first step (unless `clone: {disable: true}`); a pipeline may depend on any
pipeline of the file, whatever its type. The cycle search is iterative, so a chain of
thousands of steps cannot overflow the stack. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

from conveyor.spec.model import Pipeline

CLONE_STEP = "clone"
"""The name of Drone's implicit clone step, which steps may list in `depends_on`."""


class Target(StrEnum):
    """What a step's dependency name refers to."""

    STEP = "step"
    SERVICE = "service"
    CLONE = "clone"


def has_clone_step(pipeline: Pipeline) -> bool:
    """True unless `clone: {disable: true}`: Drone then runs a step named "clone" first."""
    return pipeline.clone is None or not pipeline.clone.disable


def step_targets(pipeline: Pipeline) -> dict[str, Target]:
    """Every name a step of `pipeline` may depend on, and what it names."""
    targets: dict[str, Target] = {}
    if has_clone_step(pipeline):
        targets[CLONE_STEP] = Target.CLONE
    for service in pipeline.services:
        targets[service.name] = Target.SERVICE
    for step in pipeline.steps:
        targets[step.name] = Target.STEP
    return targets


def find_cycles(graph: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Cycles found by a depth-first search, each as `[a, b, ..., a]` (a depends on b...)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []
    for root in graph:
        if root in state:
            continue
        path = [root]
        position = {root: 0}
        stack = [iter(graph[root])]
        state[root] = 1
        while stack:
            target = next(stack[-1], None)
            if target is None:
                stack.pop()
                done = path.pop()
                del position[done]
                state[done] = 2
            elif target not in state:
                state[target] = 1
                position[target] = len(path)
                path.append(target)
                stack.append(iter(graph.get(target, ())))
            elif state[target] == 1:
                cycles.append([*path[position[target] :], target])
    return cycles
