"""A form that cannot be saved: one sentence per field, shown next to that field. Turns the
API body models' validation errors (the same rules the REST API applies) into such sentences,
never quoting a value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError


class FormError(ValueError):
    """What is wrong with a submitted form: field name -> sentence."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {text}" for name, text in errors.items()))
        self.errors = dict(errors)


def sentence(error: Mapping[str, Any]) -> str:
    """One pydantic error as a short sentence for the person filling the form."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return "required"
    if kind == "string_too_long":
        return f"at most {ctx.get('max_length')} characters"
    if kind == "value_error":
        return str(ctx.get("error", "not a valid value"))
    message = str(error.get("msg", "not a valid value"))
    return message[:1].lower() + message[1:]


def from_validation(exc: ValidationError) -> FormError:
    """The first problem of each field of a failed body model."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = error.get("loc") or ("form",)
        errors.setdefault(str(loc[0]), sentence(error))
    return FormError(errors)
