"""A `kind: pipeline` document as a spec `Pipeline`, with its platform, clone and volumes.

`type` defaults to docker. A pipeline of another type (kubernetes, exec, vm...) is for another
runner: it gets one note, and only its server-level keys are read (no docker rules).
`pull` at pipeline level is a Conveyor extension: the default policy of its steps. No I/O.
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
    read_fields,
    string_map,
    text,
    texts,
    whole,
)
from conveyor.config.nodes import YNode, YScalar, YSequence
from conveyor.config.reader import Entry, Reader, join
from conveyor.config.steps import STEP_TABLE, steps
from conveyor.source import Span
from conveyor.spec.model import (
    DOCKER,
    Clone,
    HostVolume,
    Pipeline,
    PipelineVolume,
    Platform,
    TempVolume,
    Workspace,
)


def _record(
    rd: Reader,
    node: YNode,
    path: str,
    *,
    rel: str,
    table: Table,
    kind: type[Any],
    spans: dict[str, Span],
) -> Any:
    if isinstance(node, YScalar) and node.is_null:
        return None
    entries = rd.mapping(node, path)
    if entries is None:
        return None
    values, own = read_fields(rd, entries, path, table)
    spans.update({join(rel, key): span for key, span in own.items()})
    return kind(**values)


_PLATFORM = Table(
    fields={k: field(k, text) for k in ("os", "arch", "variant", "version")},
)
_WORKSPACE = Table(fields={k: field(k, text) for k in ("path", "base")})
_CLONE = Table(
    fields={
        "disable": field("disable", flag),
        "depth": field("depth", whole),
        "retries": field("retries", whole),
        "skip_verify": field("skip_verify", flag),
        "trace": field("trace", flag),
    },
)
_CONCURRENCY = Table(fields={"limit": field("limit", whole)})
_HOST = Table(fields={"path": field("path", text)})
_TEMP = Table(fields={"medium": field("medium", text)})


def platform(rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str) -> Any:
    """`platform: {os, arch, variant, version}`."""
    return _record(rd, node, path, rel=rel, table=_PLATFORM, kind=Platform, spans=spans)


def workspace(rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str) -> Any:
    """`workspace: {path, base}`."""
    return _record(rd, node, path, rel=rel, table=_WORKSPACE, kind=Workspace, spans=spans)


def clone(rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str) -> Any:
    """`clone: {disable, depth, retries, skip_verify, trace}`."""
    return _record(rd, node, path, rel=rel, table=_CLONE, kind=Clone, spans=spans)


def concurrency(rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str) -> int | None:
    """`concurrency: {limit: N}`, as the limit."""
    if isinstance(node, YScalar) and node.is_null:
        return None
    entries = rd.mapping(node, path, "a mapping such as {limit: 1}")
    if entries is None:
        return None
    values, own = read_fields(rd, entries, path, _CONCURRENCY)
    spans.update({join(rel, key): span for key, span in own.items()})
    limit: int | None = values.get("limit")
    return limit


def _host(rd: Reader, node: YNode, path: str, spans: dict[str, Span]) -> HostVolume | None:
    entries = rd.mapping(node, path, "a mapping such as {path: /var/cache}")
    if entries is None:
        return None
    values, own = read_fields(rd, entries, path, _HOST)
    spans.update({join("host", key): span for key, span in own.items()})
    if "path" not in values:
        rd.report(codes.MISSING_KEY, node, f"`{path}` needs a `path`", path=path)
        return None
    return HostVolume(path=values["path"])


def _volume(rd: Reader, node: YNode, path: str) -> PipelineVolume | None:
    entries = rd.mapping(node, path, "a mapping with name and host or temp")
    if entries is None:
        return None
    name = ""
    own: dict[str, Span] = {}
    host: HostVolume | None = None
    temp: TempVolume | None = None
    for entry in entries:
        where = join(path, entry.key)
        own[entry.key] = rd.field_span(entry)
        if entry.key == "name":
            name = rd.text(entry.value, where) or ""
        elif entry.key == "host":
            host = _host(rd, entry.value, where, own)
        elif entry.key == "temp":
            null = isinstance(entry.value, YScalar) and entry.value.is_null
            temp = (
                TempVolume()
                if null
                else _record(
                    rd, entry.value, where, rel=entry.key, table=_TEMP, kind=TempVolume, spans=own
                )
            )
        else:
            rd.unknown_key(entry, path, ("name", "host", "temp"))
    if not name:
        rd.report(codes.MISSING_KEY, node, f"`{path}` needs a `name`", path=path)
        return None
    return PipelineVolume(span=rd.span(node), spans=own, name=name, host=host, temp=temp)


def volumes(
    rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str
) -> tuple[PipelineVolume, ...] | None:
    """A pipeline's `volumes:`: named host or temp volumes."""
    if isinstance(node, YScalar) and node.is_null:
        return None
    if not isinstance(node, YSequence):
        rd.wrong_type(node, path, "a list of volumes")
        return None
    found: list[PipelineVolume] = []
    for index, item in enumerate(node.items):
        built = _volume(rd, item, join(path, index))
        if built is not None:
            spans[join(rel, len(found))] = rd.span(item)
            found.append(built)
    return tuple(found)


PIPELINE_TABLE = Table(
    fields={
        "kind": field("kind", text),
        "type": field("type", text),
        "name": field("name", text),
        "pull": field("pull", text),
        "platform": field("platform", platform),
        "workspace": field("workspace", workspace),
        "clone": field("clone", clone),
        "steps": field("steps", steps),
        "services": field("services", steps),
        "volumes": field("volumes", volumes),
        "environment": field("environment", environment),
        "image_pull_secrets": field("image_pull_secrets", texts),
        "trigger": field("trigger", conditions),
        "depends_on": field("depends_on", texts),
        "node": field("node", string_map),
        "concurrency": field("concurrency_limit", concurrency),
    },
    ignored={"version": "Conveyor reads every file as Drone 1.x YAML"},
    elsewhere={
        key: f"`{key}` is a step field; put it under an entry of `steps:`"
        for key in STEP_TABLE.fields
    },
)


FOREIGN_KEYS = ("kind", "type", "name", "platform", "trigger", "depends_on", "node")
"""What a pipeline of another type keeps: what a server reads to queue it."""


def pipeline(rd: Reader, node: YNode, entries: list[Entry]) -> Pipeline:
    """A pipeline document (its kind already checked)."""
    type_node = _value_of(entries, "type")
    kind = rd.text(type_node, "type") if type_node is not None else None
    if kind and kind != DOCKER:
        entries = [e for e in entries if e.key in FOREIGN_KEYS]
    values, spans = read_fields(rd, entries, "", PIPELINE_TABLE)
    values.pop("kind", None)
    values["type"] = values.get("type") or DOCKER
    built = Pipeline(span=rd.span(node), spans=spans, **values)
    if not built.is_docker:
        rd.report(
            codes.OTHER_RUNNER,
            type_node or node,
            f'pipeline "{built.name}" is for another runner (type: {built.type}); Conveyor '
            "runs and checks only `type: docker` pipelines",
            path="type",
        )
    return built


def _value_of(entries: list[Entry], key: str) -> YNode | None:
    return next((e.value for e in entries if e.key == key), None)
