"""Rules about names: unique step, service and pipeline names, and steps without a name.

Pure: reads the spec, returns diagnostics.
"""

from __future__ import annotations

from collections.abc import Iterator

from conveyor.lint import codes
from conveyor.lint.context import each_step, finding
from conveyor.source import Diagnostic
from conveyor.spec.model import ConfigFile, Pipeline


def check(file: ConfigFile, *, trusted: bool) -> Iterator[Diagnostic]:
    """Every naming problem of the file."""
    seen: dict[str, int] = {}
    for pipeline in file.pipelines:
        yield from _steps(pipeline)
        first = seen.get(pipeline.name)
        if first is None:
            seen[pipeline.name] = pipeline.span.line
        else:
            yield finding(
                codes.DUPLICATE_PIPELINE,
                pipeline,
                "name",
                f'pipeline name "{pipeline.name}" is already used by the pipeline at line '
                f"{first}; give each pipeline its own name",
            )


def _steps(pipeline: Pipeline) -> Iterator[Diagnostic]:
    steps: dict[str, int] = {}
    services: dict[str, int] = {}
    for prefix, step in each_step(pipeline):
        kind = "service" if prefix.startswith("services") else "step"
        if not step.name:
            yield finding(
                codes.MISSING_NAME,
                step,
                "",
                f"{prefix} has no name; add `name:`",
                prefix=prefix,
            )
            continue
        own, other = (steps, services) if kind == "step" else (services, steps)
        if step.name in own:
            yield finding(
                codes.DUPLICATE_STEP,
                step,
                "name",
                f'{kind} name "{step.name}" is already used at line {own[step.name]}; '
                f"give each {kind} its own name",
                prefix=prefix,
            )
            continue
        own[step.name] = step.span.line
        if step.name in other:
            yield finding(
                codes.STEP_SERVICE_CLASH,
                step,
                "name",
                f'"{step.name}" names both a step and a service (line {other[step.name]}); '
                "rename one of them",
                prefix=prefix,
            )
