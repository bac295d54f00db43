"""Pass `settings`: a plugin's `settings:` become `PLUGIN_<NAME>` variables, as in Drone.

Names are upper-cased; strings stay as written, booleans are `true`/`false`, numbers are
printed as Go prints them, lists of scalars are joined with commas, and maps (or lists
holding maps or lists) are compact JSON with sorted keys. A `from_secret` setting
becomes a secret reference; `from_secret` nested inside a list or map cannot be
resolved to an environment variable and is refused. Null settings are dropped. Pure.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import replace

from conveyor.compiler.environ import merge_layers
from conveyor.compiler.passes import StepSource
from conveyor.errors import ConfigError
from conveyor.plan.model import StepPlan
from conveyor.spec.model import EnvValue, FromSecret, SettingValue

PREFIX = "PLUGIN_"

JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]


class _NestedSecretError(Exception):
    """A `from_secret` inside a list or map."""


def apply_settings(plan: StepPlan, source: StepSource) -> StepPlan:
    """Add `PLUGIN_*` variables (and secret references) over the step's environment."""
    layer: dict[str, EnvValue] = {}
    for name, value in source.step.settings.items():
        if value is None:
            continue
        key = PREFIX + name.upper()
        try:
            layer[key] = value if isinstance(value, FromSecret) else encode_setting(value)
        except _NestedSecretError:
            raise ConfigError(
                f"setting {name} of {source.label} holds `from_secret` inside a list or map; "
                "give the secret its own setting.",
                span=source.step.span_of(f"settings.{name}"),
            ) from None
    if not layer:
        return plan
    env, refs = merge_layers(plan.environment, plan.secrets, (layer,))
    return replace(plan, environment=env, secrets=refs)


def encode_setting(value: SettingValue) -> str:
    """A setting value as the string its `PLUGIN_*` variable holds."""
    if isinstance(value, tuple):
        if all(_is_scalar(item) for item in value):
            return ",".join(encode_setting(item) for item in value)
        return _json(value)
    if isinstance(value, Mapping):
        return _json(value)
    return _scalar(value)


def _is_scalar(value: SettingValue) -> bool:
    return not isinstance(value, tuple | Mapping | FromSecret)


def _scalar(value: SettingValue) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, FromSecret):
        raise _NestedSecretError
    return str(value)


def _go_float(value: float) -> str:
    """Go's `strconv.FormatFloat(v, 'g', -1, 64)`: `1.5`, `100`, `1e+21`, `1e-05`."""
    if not math.isfinite(value):
        return {"nan": "NaN", "inf": "+Inf", "-inf": "-Inf"}[repr(value)]
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def _json(value: SettingValue) -> str:
    return json.dumps(_plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _plain(value: SettingValue) -> JsonValue:
    if isinstance(value, FromSecret):
        raise _NestedSecretError
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)  # Go's JSON encoder writes 1.0 as 1
    return value
