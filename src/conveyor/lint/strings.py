"""Rules about what the engine would refuse later: malformed `${`, NUL characters, environment
names and sizes, `from_secret` where no variable can hold it.

Each of these would otherwise pass lint and then fail at compile time or in Docker. Pure:
reads the spec, returns diagnostics.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from conveyor.config.nodes import shown
from conveyor.lint import codes
from conveyor.lint.context import each_step, finding, label
from conveyor.rules.environment import (
    MAX_ENVIRONMENT_BYTES,
    environment_bytes,
    nested_secret,
    settings_bytes,
    valid_name,
)
from conveyor.rules.substitution import BadSubstitutionError, substitute
from conveyor.rules.walk import pipeline_strings
from conveyor.source import Diagnostic
from conveyor.spec.model import ConfigFile, EnvValue, Node, Pipeline, Step


def check(file: ConfigFile, *, trusted: bool) -> Iterator[Diagnostic]:
    """Every string and environment problem of the docker pipelines."""
    for pipeline in file.docker_pipelines:
        yield from _strings(pipeline)
        yield from _names(pipeline, pipeline.environment, "")
        for prefix, step in each_step(pipeline):
            yield from _names(step, step.environment, prefix)
            yield from _settings(prefix, step)
            size = environment_bytes(pipeline.environment, step.environment)
            size += settings_bytes(step.settings)
            if size > MAX_ENVIRONMENT_BYTES:
                yield finding(
                    codes.ENVIRONMENT_SIZE,
                    step,
                    "",
                    f"the environment of {label(prefix, step)} is {size // 1024} KiB, more than "
                    f"the {MAX_ENVIRONMENT_BYTES // 1024} KiB a container can start with; "
                    "pass large data as a file",
                    prefix=prefix,
                )


def _strings(pipeline: Pipeline) -> Iterator[Diagnostic]:
    for found in pipeline_strings(pipeline):
        where = found.rel or "this field"
        if "\x00" in found.text:
            yield finding(
                codes.NUL_CHARACTER,
                found.owner,
                found.rel,
                f"`{where}` holds a NUL character (\\0), which no container can receive; remove it",
                prefix=found.prefix,
            )
        if "${" not in found.text:
            continue
        try:
            substitute(found.text, {})
        except BadSubstitutionError:
            yield finding(
                codes.BAD_SUBSTITUTION,
                found.owner,
                found.rel,
                f"`{where}` holds a `${{` that starts no valid substitution (such as "
                "${DRONE_TAG} or ${DRONE_BRANCH/\\//-}); write `$${` for a literal `${`",
                prefix=found.prefix,
            )


def _names(node: Node, environment: Mapping[str, EnvValue], prefix: str) -> Iterator[Diagnostic]:
    for name in environment:
        if not valid_name(name):
            yield finding(
                codes.BAD_ENVIRONMENT_NAME,
                node,
                f"environment.{name}",
                f"environment variable name {shown(name)} is not valid; use letters, digits "
                "and `_`, not starting with a digit",
                prefix=prefix,
            )


def _settings(prefix: str, step: Step) -> Iterator[Diagnostic]:
    for name, value in step.settings.items():
        if nested_secret(value):
            yield finding(
                codes.NESTED_SECRET,
                step,
                f"settings.{name}",
                f"setting {shown(name)} holds `from_secret` inside a list or map, where no "
                "variable can receive it; give the secret its own setting",
                prefix=prefix,
            )
