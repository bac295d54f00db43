"""Typed reads from a webhook's JSON body; a value of the wrong type is a `HookError`.

A missing or null field reads as empty (forges omit fields freely, as Go's decoder allows);
a field of another type names its path in the error. Pure.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from conveyor.server.hooks.model import HookError

Json = Mapping[str, object]


def load(body: bytes) -> Json:
    """The body as a JSON object; HookError when it is not one."""
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise HookError("the webhook body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise HookError(
            f"the webhook body is not valid JSON (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise HookError("the webhook body is nested too deeply") from None
    if not isinstance(data, dict):
        raise HookError("the webhook body must be a JSON object")
    return data


def obj(data: Json, key: str, where: str = "") -> Json:
    """The object at `key` ({} when absent or null)."""
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise HookError(f"the webhook's {where}{key} must be an object")
    return value


def items(data: Json, key: str, where: str = "") -> list[Json]:
    """The list of objects at `key` ([] when absent or null)."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise HookError(f"the webhook's {where}{key} must be a list of objects")
    return value


def text(data: Json, key: str, where: str = "") -> str:
    """The string at `key` ("" when absent or null)."""
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise HookError(f"the webhook's {where}{key} must be a string")
    return value


def required(data: Json, key: str, where: str = "") -> str:
    """The non-empty string at `key`; HookError when it is absent."""
    value = text(data, key, where)
    if not value:
        raise HookError(f"the webhook has no {where}{key}")
    return value


def number(data: Json, key: str, where: str = "") -> int | None:
    """The integer at `key` (None when absent or null)."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise HookError(f"the webhook's {where}{key} must be an integer")
    return value


def flag(data: Json, key: str, where: str = "") -> bool:
    """The boolean at `key` (False when absent or null)."""
    value = data.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise HookError(f"the webhook's {where}{key} must be true or false")
    return value


def repo_name(data: Json) -> str:
    """`repository.full_name`, lower-cased; HookError when absent or not `owner/name`."""
    name = required(obj(data, "repository"), "full_name", "repository.")
    owner, slash, rest = name.partition("/")
    if not slash or not owner or not rest or "/" in rest:
        raise HookError("the webhook's repository.full_name must be OWNER/NAME")
    return name.lower()
