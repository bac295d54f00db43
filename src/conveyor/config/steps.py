"""Entries of `steps:` and `services:` as spec `Step`s, with their mounts and devices.

Wrong types are reported and the field is left at its default; a step without a name gets
the name "" (the linter reports it). No I/O.
"""

from __future__ import annotations

from typing import Any

from conveyor.config import codes
from conveyor.config.conditions import conditions
from conveyor.config.fields import (
    Table,
    environment,
    field,
    flag,
    number,
    read_fields,
    settings,
    size,
    text,
    texts,
)
from conveyor.config.nodes import YNode, YScalar, YSequence
from conveyor.config.reader import Reader, join
from conveyor.source import Span
from conveyor.spec.model import Device, Step, VolumeMount


def _named_paths(
    rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str, *, kind: type[Any]
) -> tuple[Any, ...] | None:
    if isinstance(node, YScalar) and node.is_null:
        return None
    if not isinstance(node, YSequence):
        rd.wrong_type(node, path, "a list of {name, path} mappings")
        return None
    found: list[Any] = []
    for index, item in enumerate(node.items):
        where = join(path, index)
        entries = rd.mapping(item, where, "a mapping with name and path")
        if entries is None:
            continue
        values: dict[str, str] = {}
        own: dict[str, Span] = {}
        for entry in entries:
            if entry.key in ("name", "path"):
                value = rd.text(entry.value, join(where, entry.key))
                if value is not None:
                    values[entry.key] = value
                    own[entry.key] = rd.span(entry.value)
            else:
                rd.unknown_key(entry, where, ("name", "path"))
        missing = [key for key in ("name", "path") if key not in values]
        if missing:
            rd.report(
                codes.MISSING_KEY,
                item,
                f"`{where}` needs `{missing[0]}`",
                path=where,
            )
            continue
        spans[join(rel, len(found))] = rd.span(item)
        found.append(kind(span=rd.span(item), spans=own, **values))
    return tuple(found)


def mounts(
    rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str
) -> tuple[VolumeMount, ...] | None:
    """A step's `volumes:`: `{name, path}` mounts of pipeline volumes."""
    return _named_paths(rd, node, path, spans, rel, kind=VolumeMount)


def devices(
    rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str
) -> tuple[Device, ...] | None:
    """A step's `devices:`: `{name, path}` host devices."""
    return _named_paths(rd, node, path, spans, rel, kind=Device)


STEP_TABLE = Table(
    fields={
        "name": field("name", text),
        "image": field("image", text),
        "pull": field("pull", text),
        "commands": field("commands", texts),
        "entrypoint": field("entrypoint", texts),
        "command": field("command", texts),
        "environment": field("environment", environment),
        "settings": field("settings", settings),
        "when": field("when", conditions),
        "depends_on": field("depends_on", texts),
        "failure": field("failure", text),
        "detach": field("detach", flag),
        "privileged": field("privileged", flag),
        "volumes": field("volumes", mounts),
        "working_dir": field("working_dir", text),
        "user": field("user", text),
        "shm_size": field("shm_size", size),
        "network_mode": field("network_mode", text),
        "dns": field("dns", texts),
        "dns_search": field("dns_search", texts),
        "extra_hosts": field("extra_hosts", texts),
        "devices": field("devices", devices),
        "cpu_limit": field("cpu_limit", number),
        "mem_limit": field("mem_limit", size),
    },
    ignored={
        "memswap_limit": "Conveyor does not limit swap",
        "cpu_period": "use cpu_limit",
        "cpu_quota": "use cpu_limit",
        "cpu_shares": "use cpu_limit",
        "cpu_set": "Conveyor does not pin CPUs",
        "shell": "commands always run with /bin/sh",
        "ports": "services are reached by name on the run's network; no port is published",
    },
    elsewhere={
        "trigger": "`trigger` belongs to the pipeline; a step uses `when`",
        "image_pull_secrets": "`image_pull_secrets` belongs to the pipeline, not to a step",
        "services": "`services` belongs to the pipeline, not to a step",
        "steps": "`steps` belongs to the pipeline; check the indentation",
    },
)


def step(rd: Reader, node: YNode, path: str) -> Step | None:
    """One step or service, or None (reported) when it is not a mapping."""
    entries = rd.mapping(node, path, "a step (a mapping with name and image)")
    if entries is None:
        return None
    values, spans = read_fields(rd, entries, path, STEP_TABLE)
    values.setdefault("name", "")
    return Step(span=rd.span(node), spans=spans, **values)


def steps(rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str) -> tuple[Step, ...]:
    """`steps:` or `services:`: a list of steps."""
    if isinstance(node, YScalar) and node.is_null:
        return ()
    if not isinstance(node, YSequence):
        rd.wrong_type(node, path, "a list of steps")
        return ()
    found: list[Step] = []
    for index, item in enumerate(node.items):
        built = step(rd, item, join(path, index))
        if built is not None:
            found.append(built)
    return tuple(found)
