"""Rules about field values: `failure`, volumes, mounts and paths, the workspace, `status`
and `event` conditions.

Vocabularies and path rules are the rule book's (`conveyor.rules`). Pure: reads the spec,
returns diagnostics.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator

from conveyor.config.nodes import shown
from conveyor.config.reader import close_match
from conveyor.lint import codes
from conveyor.lint.context import each_step, finding, label
from conveyor.rules.paths import (
    DEFAULT_BASE,
    WORKSPACE_VOLUME,
    absolute_rule,
    is_absolute,
    is_windows,
    workspace_paths,
)
from conveyor.rules.vocabulary import FAILURES, failure_ignores
from conveyor.source import Diagnostic
from conveyor.spec.model import Conditions, ConfigFile, Node, Pipeline, Step

STATUSES = ("success", "failure")
EVENTS = ("push", "pull_request", "tag", "promote", "rollback", "cron", "custom")


def check(file: ConfigFile, *, trusted: bool) -> Iterator[Diagnostic]:
    """Every value problem of the file."""
    for pipeline in file.docker_pipelines:
        windows = is_windows(pipeline)
        yield from _workspace(pipeline)
        volumes = yield from _pipeline_volumes(pipeline, windows)
        if pipeline.trigger is not None:
            yield from _conditions(pipeline.trigger, "trigger")
        for prefix, step in each_step(pipeline):
            yield from _step(prefix, step, volumes, windows)
            if step.when is not None:
                yield from _conditions(step.when, f"{prefix}.when")


def _workspace(pipeline: Pipeline) -> Iterator[Diagnostic]:
    paths = workspace_paths(pipeline)
    if not paths.usable:
        written = pipeline.workspace
        parts = [
            f"{k}: {v}"
            for k, v in (("base", written and written.base), ("path", written and written.path))
            if v
        ]
        yield finding(
            codes.BAD_WORKSPACE,
            pipeline,
            "workspace",
            f'workspace {{{", ".join(parts)}}} lands on "{paths.full}", which is not an absolute '
            f"directory of its own (a system directory, or relative); use a path such as "
            f"{DEFAULT_BASE}",
            prefix="",
        )


def _step(prefix: str, step: Step, volumes: set[str], windows: bool) -> Iterator[Diagnostic]:
    if failure_ignores(step.failure) is None:
        yield finding(
            codes.BAD_FAILURE,
            step,
            "failure",
            f"unknown failure mode {shown(step.failure or '')}; use one of: {', '.join(FAILURES)}",
            prefix=prefix,
        )
    for index, mount in enumerate(step.volumes):
        where = f"{prefix}.volumes[{index}]"
        if mount.name not in volumes:
            yield finding(
                codes.UNKNOWN_VOLUME,
                mount,
                "name",
                f'{label(prefix, step)} mounts volume "{mount.name}", which the pipeline\'s '
                "`volumes:` does not define; Drone skips this mount, and so does Conveyor",
                prefix=where,
            )
        yield from _absolute(mount, mount.path, where, windows=windows)
    for index, device in enumerate(step.devices):
        yield from _absolute(device, device.path, f"{prefix}.devices[{index}]", windows=windows)


def _absolute(
    node: Node, path: str, prefix: str, rel: str = "path", *, windows: bool
) -> Iterator[Diagnostic]:
    if not is_absolute(path, windows=windows):
        yield finding(
            codes.RELATIVE_PATH,
            node,
            rel,
            f'path "{path}" must be absolute ({absolute_rule(windows=windows)})',
            prefix=prefix,
        )


def _pipeline_volumes(pipeline: Pipeline, windows: bool) -> Generator[Diagnostic, None, set[str]]:
    """Problems of `volumes:`; returns (as the generator's value) the volume names."""
    names: dict[str, int] = {}
    for index, volume in enumerate(pipeline.volumes):
        prefix = f"volumes[{index}]"
        if volume.name in names:
            yield finding(
                codes.DUPLICATE_VOLUME,
                volume,
                "name",
                f'volume name "{volume.name}" is already used at line {names[volume.name]}',
                prefix=prefix,
            )
        names.setdefault(volume.name, volume.span.line)
        if volume.name == WORKSPACE_VOLUME:
            yield finding(
                codes.RESERVED_VOLUME,
                volume,
                "name",
                f'volume name "{WORKSPACE_VOLUME}" is reserved for the workspace; rename it',
                prefix=prefix,
            )
        if (volume.host is None) == (volume.temp is None):
            yield finding(
                codes.BAD_VOLUME,
                volume,
                "",
                f'volume "{volume.name}" needs exactly one of `host: {{path: ...}}` '
                "or `temp: {}`",
                prefix=prefix,
            )
        if volume.host is not None:
            yield from _absolute(volume, volume.host.path, prefix, "host.path", windows=windows)
    return set(names)


def _conditions(node: Conditions, prefix: str) -> Iterator[Diagnostic]:
    for kind in ("include", "exclude"):
        for index, value in enumerate(getattr(node.status, kind)):
            if value not in STATUSES:
                yield finding(
                    codes.BAD_STATUS,
                    node,
                    f"status.{kind}[{index}]",
                    f"unknown status {shown(value)}; use one of: {', '.join(STATUSES)}",
                    prefix=prefix,
                )
        for index, value in enumerate(getattr(node.event, kind)):
            if value in EVENTS or "*" in value or "?" in value:
                continue
            guess = close_match(value, EVENTS)
            yield finding(
                codes.UNKNOWN_EVENT,
                node,
                f"event.{kind}[{index}]",
                f"unknown event {shown(value)}; Drone's events are: {', '.join(EVENTS)}"
                + (f" (did you mean {guess!r}?)" if guess else ""),
                prefix=prefix,
            )
