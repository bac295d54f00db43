"""Every string a pipeline holds (mapping keys included), with the node that holds it.

Drone substitutes `${...}` in the whole document and Docker refuses NUL bytes anywhere, so
some rules look at every string. Each one comes with its owner (the closest spec `Node`, for
its span), the owner's path in the document and the field path below the owner. Pure.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from conveyor.spec.model import Node, Pipeline


@dataclass(frozen=True, slots=True, kw_only=True)
class Found:
    """One string: its text, its owner node, the owner's path and the field below it."""

    text: str
    owner: Node
    prefix: str
    rel: str


def pipeline_strings(pipeline: Pipeline) -> Iterator[Found]:
    """Every string of `pipeline`, in field order."""
    yield from _walk(pipeline, pipeline, "", "")


def _walk(value: Any, owner: Node, prefix: str, rel: str) -> Iterator[Found]:
    if isinstance(value, str):
        yield Found(text=value, owner=owner, prefix=prefix, rel=rel)
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from _walk(item, owner, prefix, f"{rel}[{index}]")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(key, owner, prefix, rel)
            yield from _walk(item, owner, prefix, _join(rel, str(key)))
    elif is_dataclass(value) and not isinstance(value, type):
        if isinstance(value, Node) and value is not owner:
            owner, prefix, rel = value, _join(prefix, rel), ""
        for item in fields(value):
            if item.name not in ("span", "spans"):
                yield from _walk(getattr(value, item.name), owner, prefix, _join(rel, item.name))


def _join(rel: str, key: str) -> str:
    return f"{rel}.{key}" if rel else key
