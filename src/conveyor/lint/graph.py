"""Rules about `depends_on`: names that exist, no repeats, and no cycles (steps and pipelines).

The cycle search is iterative, so a chain of thousands of steps cannot overflow the stack.
Pure: reads the spec, returns diagnostics.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from conveyor.config.codes import Code
from conveyor.config.reader import close_match
from conveyor.lint import codes
from conveyor.lint.context import finding
from conveyor.source import Diagnostic
from conveyor.spec.model import ConfigFile, Node, Pipeline, Step


def check(file: ConfigFile, *, trusted: bool) -> Iterator[Diagnostic]:
    """Every dependency problem of the file."""
    for pipeline in file.pipelines:
        yield from _step_graph(pipeline)
    yield from _pipeline_graph(file)


def _step_graph(pipeline: Pipeline) -> Iterator[Diagnostic]:
    names: dict[str, tuple[str, Node]] = {}
    for i, each in enumerate(pipeline.steps):
        names.setdefault(each.name, (f"steps[{i}]", each))
    services = {service.name for service in pipeline.services}
    graph: dict[str, list[str]] = {}
    for name, (prefix, step) in names.items():
        graph[name] = []
        for index, target in enumerate(_depends_on(step)):
            rel = f"depends_on[{index}]"
            if target in graph[name]:
                yield finding(
                    codes.DUPLICATE_DEPENDENCY,
                    step,
                    rel,
                    f'"{target}" is listed twice in `depends_on`; remove the repeat',
                    prefix=prefix,
                )
            elif target in names:
                graph[name].append(target)
            elif target == CLONE_STEP and has_clone_step(pipeline):
                continue  # Drone's clone step runs first; the edge is already met
            else:
                hint = "services start before every step; drop it from depends_on"
                if target == CLONE_STEP:
                    hint = "`clone: {disable: true}` removes the clone step; drop the dependency"
                yield finding(
                    codes.UNKNOWN_DEPENDENCY,
                    step,
                    rel,
                    f'step "{name}" depends on "{target}", which is not a step of this pipeline'
                    + _guess(target, names),
                    prefix=prefix,
                    hint=hint if target in services or target == CLONE_STEP else None,
                )
    yield from _cycles(graph, names, codes.STEP_CYCLE, "steps")


CLONE_STEP = "clone"
"""The name of Drone's implicit clone step, which steps may list in `depends_on`."""


def has_clone_step(pipeline: Pipeline) -> bool:
    """True unless `clone: {disable: true}`: Drone then runs a step named "clone" first."""
    return pipeline.clone is None or not pipeline.clone.disable


def _pipeline_graph(file: ConfigFile) -> Iterator[Diagnostic]:
    names: dict[str, tuple[str, Node]] = {}
    for pipeline in file.pipelines:
        names.setdefault(pipeline.name, ("", pipeline))
    graph: dict[str, list[str]] = {}
    for name, (_, node) in names.items():
        graph[name] = []
        for index, target in enumerate(_depends_on(node)):
            if target in names:
                if target not in graph[name]:
                    graph[name].append(target)
                continue
            yield finding(
                codes.UNKNOWN_PIPELINE,
                node,
                f"depends_on[{index}]",
                f'pipeline "{name}" depends on "{target}", which is not a pipeline of this file'
                + _guess(target, names),
            )
    yield from _cycles(graph, names, codes.PIPELINE_CYCLE, "pipelines")


def _guess(target: str, names: Mapping[str, object]) -> str:
    found = close_match(target, names)
    return f'; did you mean "{found}"?' if found else ""


def _cycles(
    graph: Mapping[str, Sequence[str]],
    nodes: Mapping[str, tuple[str, Node]],
    code: Code,
    what: str,
) -> Iterator[Diagnostic]:
    for cycle in find_cycles(graph):
        closer = cycle[-2]
        prefix, node = nodes[closer]
        index = _index_of(node, cycle[-1])
        yield finding(
            code,
            node,
            f"depends_on[{index}]",
            f"{what} depend on each other in a cycle: {' -> '.join(cycle)}; "
            "remove one of these dependencies",
            prefix=prefix,
        )


def _depends_on(node: Node) -> tuple[str, ...]:
    return node.depends_on if isinstance(node, Pipeline | Step) else ()


def _index_of(node: Node, target: str) -> int:
    depends_on = _depends_on(node)
    return depends_on.index(target) if target in depends_on else 0


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
