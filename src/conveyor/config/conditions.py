"""`when:` of a step and `trigger:` of a pipeline, as `Conditions` with include/exclude globs.

Each key accepts a string, a list of strings, or `{include: [...], exclude: [...]}` (each a
string or a list). Spans are keyed `branch`, `branch.include[0]`, `branch.exclude[1]`. No I/O.
"""

from __future__ import annotations

from conveyor.config.fields import Field, Table, read_fields
from conveyor.config.nodes import YMapping, YNode, YScalar
from conveyor.config.reader import Reader, join
from conveyor.source import Span
from conveyor.spec.model import Conditions, Constraint

CONDITION_KEYS = (
    "branch",
    "event",
    "ref",
    "repo",
    "instance",
    "target",
    "cron",
    "action",
    "status",
)


def _globs(rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str) -> tuple[str, ...]:
    if isinstance(node, YScalar):
        if node.is_null:
            return ()
        spans[join(rel, 0)] = rd.span(node)
        return (node.value,)
    return rd.texts(node, path, spans, rel) or ()


def constraint(
    rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str
) -> Constraint | None:
    """One condition key: a glob, a list of globs, or an include/exclude mapping."""
    if not isinstance(node, YMapping):
        return Constraint(include=_globs(rd, node, path, spans, join(rel, "include")))
    entries = rd.mapping(node, path) or []
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    for entry in entries:
        where = join(path, entry.key)
        if entry.key == "include":
            include = _globs(rd, entry.value, where, spans, join(rel, "include"))
        elif entry.key == "exclude":
            exclude = _globs(rd, entry.value, where, spans, join(rel, "exclude"))
        else:
            rd.unknown_key(entry, path, ("include", "exclude"))
    return Constraint(include=include, exclude=exclude)


_TABLE = Table(
    fields={key: Field(attr=key, convert=constraint) for key in CONDITION_KEYS},
    ignored={"paths": "path filters need a Drone extension; Conveyor does not evaluate them"},
)


def conditions(
    rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str
) -> Conditions | None:
    """A `when:`/`trigger:` mapping as Conditions (its spans are relative to it)."""
    if isinstance(node, YScalar) and node.is_null:
        return None
    entries = rd.mapping(node, path, "a mapping of conditions such as branch or event")
    if entries is None:
        return None
    values, own_spans = read_fields(rd, entries, path, _TABLE)
    for key, span in own_spans.items():
        spans.setdefault(join(rel, key), span)
    return Conditions(span=rd.span(node), spans=own_spans, **values)
