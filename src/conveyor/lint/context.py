"""What every rule needs: diagnostics placed by field path, and the steps of a pipeline.

A rule never computes positions itself: it names a node and a field path relative to it,
and `finding` takes the span from the node's `spans`. Pure.
"""

from __future__ import annotations

from collections.abc import Iterator

from conveyor.config.codes import Code
from conveyor.config.reader import join
from conveyor.source import Diagnostic
from conveyor.spec.model import Node, Pipeline, Step


def finding(
    code: Code,
    node: Node,
    rel: str,
    message: str,
    *,
    prefix: str = "",
    hint: str | None = None,
    at: str | None = None,
) -> Diagnostic:
    """A diagnostic at field `rel` of `node` (whose own path in the document is `prefix`).

    `at` names another span path for the caret (such as a variable's name, not its value)."""
    span = node.span_of(at or rel) if (at or rel) else node.span
    path = join(prefix, rel) if rel else prefix
    if rel.startswith("["):
        path = prefix + rel
    return code.at(span, message, path=path, hint=hint)


def each_step(pipeline: Pipeline) -> Iterator[tuple[str, Step]]:
    """Every step and service with its path in the document (`steps[0]`, `services[1]`)."""
    for index, step in enumerate(pipeline.steps):
        yield f"steps[{index}]", step
    for index, service in enumerate(pipeline.services):
        yield f"services[{index}]", service


def label(prefix: str, step: Step) -> str:
    """How a message names a step: `step "build"` or `service "db"`."""
    kind = "service" if prefix.startswith("services") else "step"
    return f'{kind} "{step.name}"' if step.name else f"{kind} {prefix}"
