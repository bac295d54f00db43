"""Drone's `${...}` substitution applied to every string of a pipeline, before anything else.

The expression language itself is `conveyor.rules.substitution` (shared with lint); this
module walks the spec and turns a malformed expression into a ConfigError at its field. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass, replace
from typing import Any

from conveyor.errors import ConfigError
from conveyor.rules.substitution import BadSubstitutionError, substitute
from conveyor.spec.model import Node, Pipeline


def substitute_pipeline(pipeline: Pipeline, variables: Mapping[str, str]) -> Pipeline:
    """Every string of `pipeline` (keys of mappings included) substituted; positions kept.

    Raises ConfigError at the field that holds a malformed expression.
    """
    result: Pipeline = _walk(pipeline, variables, pipeline, "")
    return result


def _walk(value: Any, variables: Mapping[str, str], owner: Node, rel: str) -> Any:
    if isinstance(value, str):
        try:
            return substitute(value, variables)
        except BadSubstitutionError:
            raise ConfigError(
                f"`{rel or 'this field'}` holds a `${{` that starts no valid substitution; "
                "write `$${` for a literal `${`.",
                span=owner.span_of(rel),
            ) from None
    if isinstance(value, tuple):
        return tuple(_walk(item, variables, owner, f"{rel}[{i}]") for i, item in enumerate(value))
    if isinstance(value, Mapping):
        return {
            _walk(key, variables, owner, rel): _walk(item, variables, owner, _join(rel, key))
            for key, item in value.items()
        }
    if is_dataclass(value) and not isinstance(value, type):
        node = value if isinstance(value, Node) else owner
        base = "" if isinstance(value, Node) else rel
        changes = {
            f.name: _walk(getattr(value, f.name), variables, node, _join(base, f.name))
            for f in fields(value)
            if f.name not in ("span", "spans")
        }
        return replace(value, **changes)
    return value


def _join(rel: str, key: str) -> str:
    return f"{rel}.{key}" if rel else key
