"""Reading a submitted form (`application/x-www-form-urlencoded`, what browsers send without
JavaScript) into `FormData`; any other body is a 415 page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import Depends, Request

from conveyor.server.web.errors import WebError

FORM_TYPE = "application/x-www-form-urlencoded"


class FormData:
    """The fields of a form; a missing field reads as ''."""

    __slots__ = ("_fields",)

    def __init__(self, fields: dict[str, list[str]]) -> None:
        self._fields = fields

    def __repr__(self) -> str:
        return f"FormData(<{len(self._fields)} fields hidden>)"  # values may be secrets

    def get(self, name: str) -> str:
        """The field's first value, or ''."""
        values = self._fields.get(name)
        return values[0] if values else ""

    def getall(self, name: str) -> list[str]:
        """Every value of the field (checkboxes, multiple selects)."""
        return list(self._fields.get(name, []))

    def has(self, name: str) -> bool:
        """Whether the field was sent (an unticked checkbox is not)."""
        return name in self._fields


def parse_form(body: bytes) -> FormData:
    """The fields of an urlencoded body; a 400 page when it is not UTF-8."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise WebError(400, "the form was not sent as UTF-8") from None
    return FormData(parse_qs(text, keep_blank_values=True, max_num_fields=1000))


async def read_form(request: Request) -> FormData:
    """The request's form (a dependency of POST pages)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != FORM_TYPE:
        raise WebError(415, f"forms must be sent as {FORM_TYPE}")
    try:
        return parse_form(await request.body())
    except ValueError:
        raise WebError(400, "the form has too many fields") from None


FormDep = Annotated[FormData, Depends(read_form)]
