"""Strict readers of protocol JSON: each names the key it refuses, as `what.key`.

`Fields` wraps one JSON object, refuses keys it does not know and reads typed values;
`ProtocolError` is the one error a malformed message raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from conveyor.errors import ConveyorError

E = TypeVar("E", bound=StrEnum)


class ProtocolError(ConveyorError):
    """A protocol message is malformed: a key is missing, unknown or of the wrong type."""


class Fields:
    """One JSON object of a message, read key by key; `where` names it in errors."""

    __slots__ = ("_data", "_where")

    def __init__(self, data: object, where: str, keys: frozenset[str]) -> None:
        if not isinstance(data, dict):
            raise ProtocolError(f"{where} must be a JSON object.")
        unknown = sorted(str(key) for key in data if key not in keys)
        if unknown:
            raise ProtocolError(f"{where} has an unknown key {unknown[0]!r}.")
        self._data: Mapping[str, object] = data
        self._where = where

    def path(self, key: str) -> str:
        """The dotted name of `key` inside this object, for errors and nested readers."""
        return f"{self._where}.{key}"

    def raw(self, key: str) -> object:
        """The value of a required key, unchecked."""
        if key not in self._data:
            raise ProtocolError(f"{self._where} lacks the key {key!r}.")
        return self._data[key]

    def get(self, key: str, default: object = None) -> object:
        """The value of an optional key, unchecked."""
        return self._data.get(key, default)

    def text(self, key: str, default: str | None = None) -> str:
        value = self.raw(key) if default is None else self._data.get(key, default)
        return text(value, self.path(key))

    def optional_text(self, key: str) -> str | None:
        value = self._data.get(key)
        return None if value is None else text(value, self.path(key))

    def integer(self, key: str, default: int | None = None) -> int:
        value = self.raw(key) if default is None else self._data.get(key, default)
        return integer(value, self.path(key))

    def optional_integer(self, key: str) -> int | None:
        value = self._data.get(key)
        return None if value is None else integer(value, self.path(key))

    def number(self, key: str, default: float | None = None) -> float:
        value = self.raw(key) if default is None else self._data.get(key, default)
        return number(value, self.path(key))

    def optional_number(self, key: str) -> float | None:
        value = self._data.get(key)
        return None if value is None else number(value, self.path(key))

    def boolean(self, key: str, default: bool | None = None) -> bool:
        value = self.raw(key) if default is None else self._data.get(key, default)
        if not isinstance(value, bool):
            raise ProtocolError(f"{self.path(key)} must be true or false.")
        return value

    def word(self, key: str, kind: type[E]) -> E:
        """A required string that must be one of the words of `kind`."""
        value = self.text(key)
        try:
            return kind(value)
        except ValueError:
            words = ", ".join(member.value for member in kind)
            raise ProtocolError(f"{self.path(key)} must be one of {words}.") from None

    def texts(self, key: str) -> dict[str, str]:
        """An optional object of strings (empty when absent)."""
        value = self._data.get(key, {})
        if not isinstance(value, dict):
            raise ProtocolError(f"{self.path(key)} must be an object of strings.")
        return {str(k): text(v, f"{self.path(key)}.{k}") for k, v in value.items()}

    def items(self, key: str, default: list[object] | None = None) -> list[object]:
        """A list; required unless `default` is given."""
        value = self.raw(key) if default is None else self._data.get(key, default)
        if not isinstance(value, list):
            raise ProtocolError(f"{self.path(key)} must be a list.")
        return value


def text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ProtocolError(f"{where} must be a string.")
    return value


def integer(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProtocolError(f"{where} must be a whole number.")
    return value


def number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError(f"{where} must be a number.")
    return float(value)
