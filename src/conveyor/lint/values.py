"""Rules about field values: `failure`, volume mounts and paths, `status` and `event` conditions.

Pure: reads the spec, returns diagnostics.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator

from conveyor.config.reader import close_match
from conveyor.lint import codes
from conveyor.lint.context import each_step, finding, label
from conveyor.source import Diagnostic
from conveyor.spec.model import Conditions, ConfigFile, Node, Pipeline, Step

FAILURES = ("ignore", "always", "fast")
"""`failure:` values that messages list."""
ACCEPTED_FAILURES = (*FAILURES, "fail-fast", "fast-fail")
"""`failure:` values the compiler accepts (compared case-insensitively): Drone's `ignore`
and its fail-fast spellings, and `always`."""
STATUSES = ("success", "failure")
EVENTS = ("push", "pull_request", "tag", "promote", "rollback", "cron", "custom")


def check(file: ConfigFile, *, trusted: bool) -> Iterator[Diagnostic]:
    """Every value problem of the file."""
    for pipeline in file.pipelines:
        volumes = yield from _pipeline_volumes(pipeline)
        if pipeline.trigger is not None:
            yield from _conditions(pipeline.trigger, "trigger")
        for prefix, step in each_step(pipeline):
            yield from _step(prefix, step, volumes)
            if step.when is not None:
                yield from _conditions(step.when, f"{prefix}.when")


def _step(prefix: str, step: Step, volumes: set[str]) -> Iterator[Diagnostic]:
    if step.failure is not None and step.failure.strip().lower() not in ACCEPTED_FAILURES:
        yield finding(
            codes.BAD_FAILURE,
            step,
            "failure",
            f"unknown failure mode {step.failure!r}; use one of: {', '.join(FAILURES)}",
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
                "`volumes:` does not define",
                prefix=where,
            )
        yield from _absolute(mount, mount.path, where)
    for index, device in enumerate(step.devices):
        yield from _absolute(device, device.path, f"{prefix}.devices[{index}]")


def _absolute(node: Node, path: str, prefix: str, rel: str = "path") -> Iterator[Diagnostic]:
    if not path.startswith("/"):
        yield finding(
            codes.RELATIVE_PATH,
            node,
            rel,
            f"path {path!r} must be absolute (start with /)",
            prefix=prefix,
        )


def _pipeline_volumes(pipeline: Pipeline) -> Generator[Diagnostic, None, set[str]]:
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
            yield from _absolute(volume, volume.host.path, prefix, "host.path")
    return set(names)


def _conditions(node: Conditions, prefix: str) -> Iterator[Diagnostic]:
    for kind in ("include", "exclude"):
        for index, value in enumerate(getattr(node.status, kind)):
            if value not in STATUSES:
                yield finding(
                    codes.BAD_STATUS,
                    node,
                    f"status.{kind}[{index}]",
                    f"unknown status {value!r}; use one of: {', '.join(STATUSES)}",
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
                f"unknown event {value!r}; Drone's events are: {', '.join(EVENTS)}"
                + (f" (did you mean {guess!r}?)" if guess else ""),
                prefix=prefix,
            )
