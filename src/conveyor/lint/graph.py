"""Rules about `depends_on`: names that exist, no repeats, and no cycles (steps and pipelines).

What a name may refer to is `conveyor.rules.dependencies` (shared with the compiler): a step
may name a step, a service or "clone"; a pipeline may name any pipeline of the file, of any
type. Pure: reads the spec, returns diagnostics.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from conveyor.config.codes import Code
from conveyor.config.reader import close_match
from conveyor.lint import codes
from conveyor.lint.context import finding
from conveyor.rules.dependencies import CLONE_STEP, Target, find_cycles, step_targets
from conveyor.source import Diagnostic
from conveyor.spec.model import ConfigFile, Node, Pipeline, Step


def check(file: ConfigFile, *, trusted: bool) -> Iterator[Diagnostic]:
    """Every dependency problem of the file."""
    for pipeline in file.docker_pipelines:
        yield from _step_graph(pipeline)
    yield from _pipeline_graph(file)


def _step_graph(pipeline: Pipeline) -> Iterator[Diagnostic]:
    names: dict[str, tuple[str, Node]] = {}
    for i, each in enumerate(pipeline.steps):
        names.setdefault(each.name, (f"steps[{i}]", each))
    targets = step_targets(pipeline)
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
                continue
            kind = targets.get(target)
            if kind is Target.STEP:
                graph[name].append(target)
            elif kind is None:
                yield _unknown_dependency(pipeline, name, target, (prefix, step), rel)
    yield from _cycles(graph, names, codes.STEP_CYCLE, "steps")


def _unknown_dependency(
    pipeline: Pipeline, name: str, target: str, where: tuple[str, Node], rel: str
) -> Diagnostic:
    prefix, step = where
    hint = None
    if target == CLONE_STEP:
        hint = "`clone: {disable: true}` removes the clone step; drop the dependency"
    others = {n: None for n in step_targets(pipeline) if n not in (name, CLONE_STEP)}
    return finding(
        codes.UNKNOWN_DEPENDENCY,
        step,
        rel,
        f'step "{name}" depends on "{target}", which is no step or service of this pipeline'
        + _guess(target, others),
        prefix=prefix,
        hint=hint,
    )


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
