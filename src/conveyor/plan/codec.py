"""The plan as JSON and back: `plan_to_json` for `conveyor compile` and goldens, `plan_from_json`;
`plan_to_data`/`plan_from_data` for documents that embed a plan (a stage job).

Keys follow the dataclass field order (mappings are sorted by key), enums are written
as their values, tuples as lists, and the text is indented by 2 and ends with a newline,
so the same plan always gives the same bytes. Decoding is driven by the dataclasses'
type hints and refuses unknown or missing keys with a ConfigError. Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from enum import Enum
from functools import cache
from typing import Any

from conveyor.errors import ConfigError
from conveyor.plan.model import Plan


def plan_to_json(plan: Plan) -> str:
    """`plan` as stable, indented JSON text."""
    return json.dumps(plan_to_data(plan), indent=2, ensure_ascii=False) + "\n"


def plan_to_data(plan: Plan) -> object:
    """`plan` as JSON-able data (dicts, lists, strings, numbers), as `plan_to_json` writes it."""
    return _encode(plan)


def plan_from_data(data: object) -> Plan:
    """The plan of `plan_to_data`; ConfigError when `data` is not such a plan."""
    decoded = _decode(data, Plan, "plan")
    assert isinstance(decoded, Plan)
    return decoded


def plan_from_json(text: str) -> Plan:
    """The plan that `plan_to_json` wrote; ConfigError when `text` is not such a plan."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"the plan is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}."
        ) from None
    return plan_from_data(data)


def _encode(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(key): _encode(value[key]) for key in sorted(value)}
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(data: object, hint: Any, where: str) -> object:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _decode_union(data, typing.get_args(hint), where)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _decode_dataclass(data, hint, where)
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(data)
        except ValueError:
            raise _bad(where, f"one of {', '.join(str(m.value) for m in hint)}") from None
    if origin is tuple:
        return _decode_tuple(data, typing.get_args(hint), where)
    if origin in (Mapping, dict):
        _key, item = typing.get_args(hint)
        if not isinstance(data, dict):
            raise _bad(where, "an object")
        return {str(k): _decode(v, item, f"{where}.{k}") for k, v in data.items()}
    return _decode_scalar(data, hint, where)


def _decode_union(data: object, options: tuple[Any, ...], where: str) -> object:
    if data is None and type(None) in options:
        return None
    for option in options:
        if option is type(None):
            continue
        try:
            return _decode(data, option, where)
        except ConfigError:
            continue
    raise _bad(where, " or ".join(getattr(o, "__name__", str(o)) for o in options))


def _decode_dataclass(data: object, cls: type, where: str) -> object:
    if not isinstance(data, dict):
        raise _bad(where, "an object")
    hints = _hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(f"the plan has an unknown key {where}.{unknown[0]}; remove it.")
    values: dict[str, object] = {}
    for name, spec in fields.items():
        if name in data:
            values[name] = _decode(data[name], hints[name], f"{where}.{name}")
        elif spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
            raise ConfigError(f"the plan lacks the key {where}.{name}; add it.")
    return cls(**values)


def _decode_tuple(data: object, args: tuple[Any, ...], where: str) -> tuple[object, ...]:
    if not isinstance(data, list):
        raise _bad(where, "a list")
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(_decode(item, args[0], f"{where}[{i}]") for i, item in enumerate(data))
    if len(data) != len(args):
        raise _bad(where, f"a list of {len(args)} items")
    pairs = enumerate(zip(data, args, strict=True))
    return tuple(_decode(item, arg, f"{where}[{i}]") for i, (item, arg) in pairs)


def _decode_scalar(data: object, hint: Any, where: str) -> object:
    if hint is float and isinstance(data, int) and not isinstance(data, bool):
        return float(data)
    if hint in (str, int, bool, float) and type(data) is hint:
        return data
    raise _bad(where, getattr(hint, "__name__", str(hint)))


def _bad(where: str, expected: str) -> ConfigError:
    return ConfigError(f"the plan's {where} must be {expected}; fix or regenerate the plan.")
