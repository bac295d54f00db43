"""YAML 1.1 scalar values: booleans, integers, floats and Docker byte sizes.

Conversions follow PyYAML's SafeConstructor (`yes`/`on` are booleans, `0x1f` and `1_000`
are integers) and Docker's `RAMInBytes` for sizes (`512m`, `1.5g`: powers of 1024).
Return None instead of raising when a value does not convert. No I/O.
"""

from __future__ import annotations

import math
import re

import yaml

from conveyor.config.nodes import BOOL, FLOAT, INT, YScalar

_CONSTRUCTOR = yaml.constructor.SafeConstructor()

_SIZE = re.compile(r"(\d+(?:\.\d+)*) ?([kmgtp])?i?b?", re.ASCII | re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}


def to_bool(node: YScalar) -> bool | None:
    """The boolean of a `bool`-tagged scalar (`yes`, `On`, `false`...), else None."""
    if node.tag != BOOL:
        return None
    return node.value.lower() in ("yes", "true", "on")


def to_int(node: YScalar) -> int | None:
    """The integer of an `int`-tagged scalar (`0x10`, `1_000`, `0o17`), else None."""
    if node.tag != INT:
        return None
    try:
        value: int = _CONSTRUCTOR.construct_yaml_int(yaml.ScalarNode(INT, node.value))
    except (ValueError, IndexError):
        return None
    return value


def to_float(node: YScalar) -> float | None:
    """The number of an `int`- or `float`-tagged scalar, else None."""
    if node.tag == INT:
        whole = to_int(node)
        return None if whole is None else float(whole)
    if node.tag != FLOAT:
        return None
    try:
        value: float = _CONSTRUCTOR.construct_yaml_float(yaml.ScalarNode(FLOAT, node.value))
    except (ValueError, IndexError):
        return None
    return value


def parse_size(text: str) -> int | None:
    """Bytes of a Docker size such as `512m`, `1g`, `1.5GB` or `1024`; None if malformed."""
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        return None
    try:
        number = float(match.group(1))
    except ValueError:  # "1.2.3" passes Docker's pattern but is no number
        return None
    unit = (match.group(2) or "").lower()
    size = number * _UNITS[unit]
    if not math.isfinite(size):
        return None
    return int(size)


def to_value(node: YScalar) -> str | int | float | bool | None:
    """A scalar as the plain Python value its tag says (plugin settings keep types)."""
    if node.is_null:
        return None
    if node.tag == BOOL:
        return to_bool(node)
    if node.tag == INT:
        whole = to_int(node)
        return node.value if whole is None else whole
    if node.tag == FLOAT:
        number = to_float(node)
        return node.value if number is None else number
    return node.value
