"""Field tables for the spec builders, and the converters shared by steps and pipelines.

A builder describes its keys as `Field`s; `read_fields` walks a mapping once, converts each
known key, records the span of each field and warns about unknown or ignored keys.
Converters return None (after reporting) when a value cannot be used. No I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from conveyor.config import codes
from conveyor.config.nodes import INT, YMapping, YNode, YScalar, YSequence, describe, shown
from conveyor.config.reader import Entry, Reader, join
from conveyor.config.scalars import parse_size, to_int, to_value
from conveyor.source import Span
from conveyor.spec.model import EnvValue, FromSecret, SettingValue

Convert = Callable[[Reader, YNode, str, dict[str, Span], str], Any]
"""(reader, value node, absolute path, spans of the object, relative path) -> value or None."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """A known key: the model attribute it fills and how its value is converted."""

    attr: str
    convert: Convert


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    """The keys of one kind of object: known fields, Drone keys we ignore, keys of elsewhere."""

    fields: Mapping[str, Field]
    ignored: Mapping[str, str] = dc_field(default_factory=dict)
    elsewhere: Mapping[str, str] = dc_field(default_factory=dict)


def read_fields(
    rd: Reader, entries: list[Entry], path: str, table: Table
) -> tuple[dict[str, Any], dict[str, Span]]:
    """Model attributes and field spans of one mapping, reporting unknown keys."""
    values: dict[str, Any] = {}
    spans: dict[str, Span] = {}
    for entry in entries:
        known = table.fields.get(entry.key)
        if known is None:
            _unknown(rd, entry, path, table)
            continue
        spans[entry.key] = rd.field_span(entry)
        value = known.convert(rd, entry.value, join(path, entry.key), spans, entry.key)
        if value is not None:
            values[known.attr] = value
    return values, spans


def _unknown(rd: Reader, entry: Entry, path: str, table: Table) -> None:
    if not path and rd.holds_anchors(entry.value):
        return  # a top-level key such as `x-defaults: &defaults` that only holds anchors
    reason = table.ignored.get(entry.key)
    if reason is not None:
        rd.report(
            codes.IGNORED_KEY,
            entry.key_node,
            f"`{entry.key}` is accepted for Drone compatibility but ignored: {reason}",
            path=join(path, entry.key),
        )
        return
    rd.unknown_key(entry, path, table.fields, hint=table.elsewhere.get(entry.key))


def field(attr: str, convert: Convert) -> Field:
    """Shorthand for `Field(attr=..., convert=...)`."""
    return Field(attr=attr, convert=convert)


# -- converters ---------------------------------------------------------------------------


def text(rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str) -> str | None:
    """A string field."""
    return rd.text(node, path)


def flag(rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str) -> bool | None:
    """A boolean field."""
    return rd.flag(node, path)


def whole(rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str) -> int | None:
    """A whole-number field (0 or more)."""
    return rd.whole(node, path)


MAX_BYTES = 2**63 - 1
"""Docker holds sizes in a signed 64-bit integer."""
MAX_CPUS = 1_000_000.0
"""Far above any machine; keeps `cpu_limit` times 10^9 (Docker's NanoCPUs) inside 64 bits."""


def number(rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str) -> float | None:
    """A positive number field (a CPU count: at most MAX_CPUS)."""
    value = rd.number(node, path)
    if value is not None and value > MAX_CPUS:
        rd.report(codes.BAD_VALUE, node, f"`{path}` must be at most {MAX_CPUS:.0f}", path=path)
        return None
    return value


def texts(
    rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str
) -> tuple[str, ...] | None:
    """A list-of-strings field."""
    return rd.texts(node, path, spans, rel)


def size(rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str) -> int | None:
    """A byte size: a whole number of bytes or a string such as `512m` or `1g`."""
    if not isinstance(node, YScalar):
        rd.wrong_type(node, path, "a size such as 512m or 1g")
        return None
    if node.is_null:
        return None
    value = to_int(node) if node.tag == INT else parse_size(node.value)
    if value is not None and value > MAX_BYTES:
        rd.report(
            codes.BAD_VALUE, node, f"`{path}` is larger than Docker allows (8 EiB)", path=path
        )
        return None
    if value is None or value < 0:
        rd.report(
            codes.BAD_VALUE,
            node,
            f"`{path}` must be a size such as 512m or 1g, not {shown(node.value)}",
            path=path,
        )
        return None
    return value


def environment(
    rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str
) -> dict[str, EnvValue] | None:
    """`environment:` values become strings; `{from_secret: NAME}` becomes FromSecret."""
    if isinstance(node, YScalar) and node.is_null:
        return None
    entries = rd.mapping(node, path, "a mapping of names to values")
    if entries is None:
        return None
    found: dict[str, EnvValue] = {}
    for entry in entries:
        value = entry.value
        where = join(path, entry.key)
        if isinstance(value, YScalar):
            found[entry.key] = "" if value.is_null else value.value
        elif isinstance(value, YMapping):
            secret = from_secret(rd, value, where)
            if secret is None:
                continue
            found[entry.key] = secret
        else:
            rd.wrong_type(value, where, "a string or {from_secret: NAME}")
            continue
        spans[join(rel, entry.key)] = rd.span(value)
    return found


def from_secret(rd: Reader, node: YMapping, path: str) -> FromSecret | None:
    """`{from_secret: NAME}`, or None after reporting what is wrong with the mapping."""
    entries = rd.mapping(node, path)
    name: str | None = None
    for entry in entries or ():
        if entry.key == "from_secret":
            name = rd.text(entry.value, join(path, "from_secret"))
        else:
            rd.unknown_key(entry, path, ("from_secret",))
    if name is None:
        rd.report(
            codes.WRONG_TYPE,
            node,
            f"`{path}` must be a string or {{from_secret: NAME}}, not {describe(node)}",
            path=path,
        )
        return None
    return FromSecret(name=name)


def settings(
    rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str
) -> dict[str, SettingValue] | None:
    """Plugin `settings:`: any YAML value per key, `{from_secret: NAME}` included."""
    if isinstance(node, YScalar) and node.is_null:
        return None
    entries = rd.mapping(node, path, "a mapping of setting names to values")
    if entries is None:
        return None
    found: dict[str, SettingValue] = {}
    for entry in entries:
        found[entry.key] = setting_value(rd, entry.value, join(path, entry.key))
        spans[join(rel, entry.key)] = rd.span(entry.value)
    return found


def setting_value(rd: Reader, node: YNode, path: str) -> SettingValue:
    """One plugin setting value, converted recursively (depth is bounded by the composer)."""
    if isinstance(node, YScalar):
        return to_value(node)
    if isinstance(node, YSequence):
        return tuple(setting_value(rd, item, join(path, i)) for i, item in enumerate(node.items))
    entries = rd.mapping(node, path) or []
    if [e.key for e in entries] == ["from_secret"]:
        name = rd.text(entries[0].value, join(path, "from_secret"))
        return FromSecret(name=name or "")
    return {e.key: setting_value(rd, e.value, join(path, e.key)) for e in entries}


def string_map(
    rd: Reader, node: YNode, path: str, spans: dict[str, Span], rel: str
) -> dict[str, str] | None:
    """A mapping of names to scalar strings (`node:` labels)."""
    if isinstance(node, YScalar) and node.is_null:
        return None
    entries = rd.mapping(node, path, "a mapping of names to strings")
    if entries is None:
        return None
    found: dict[str, str] = {}
    for entry in entries:
        value = rd.text(entry.value, join(path, entry.key))
        if value is not None:
            found[entry.key] = value
            spans[join(rel, entry.key)] = rd.span(entry.value)
    return found
