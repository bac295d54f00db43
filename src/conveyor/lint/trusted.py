"""Rules about trusted-only fields: refused unless the repository is trusted (`--trusted`).

Privileged mode, devices, DNS and host settings, network mode, shared memory, host volumes
and memory-backed temp volumes give a step power over the runner's host. Pure.
"""

from __future__ import annotations

from collections.abc import Iterator

from conveyor.lint import codes
from conveyor.lint.context import each_step, finding, label
from conveyor.rules.paths import host_volume_advice
from conveyor.source import Diagnostic
from conveyor.spec.model import ConfigFile, Pipeline
from conveyor.spec.trust import trusted_only_fields

HINT = "ask an admin to mark the repository trusted (lint with --trusted to check it as trusted)"


def check(file: ConfigFile, *, trusted: bool) -> Iterator[Diagnostic]:
    """Every trusted-only field of the file, unless `trusted`."""
    if trusted:
        return
    for pipeline in file.docker_pipelines:
        for prefix, step in each_step(pipeline):
            for name in trusted_only_fields(step):
                yield finding(
                    codes.TRUSTED_ONLY,
                    step,
                    name,
                    f"`{name}` of {label(prefix, step)} is allowed only in trusted repositories; "
                    "remove it",
                    prefix=prefix,
                    hint=HINT,
                )
        yield from _volumes(pipeline)


def _volumes(pipeline: Pipeline) -> Iterator[Diagnostic]:
    for index, volume in enumerate(pipeline.volumes):
        prefix = f"volumes[{index}]"
        if volume.host is not None:
            yield finding(
                codes.TRUSTED_ONLY,
                volume,
                "host",
                f'host volume "{volume.name}" is allowed only in trusted repositories; '
                + host_volume_advice(volume.host.path),
                prefix=prefix,
                hint=HINT,
            )
        if volume.temp is not None and volume.temp.medium == "memory":
            yield finding(
                codes.TRUSTED_ONLY,
                volume,
                "temp.medium",
                f'memory volume "{volume.name}" is allowed only in trusted repositories; '
                "drop `medium: memory`",
                prefix=prefix,
                hint=HINT,
            )
