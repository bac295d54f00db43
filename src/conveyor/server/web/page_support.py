"""What the settings and admin pages' forms share: the posted form, read only after its CSRF
token was checked (a 403 page otherwise)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from conveyor.server.web.forms import FormData, FormDep
from conveyor.server.web.session import check_csrf


def checked_form(request: Request, form: FormDep) -> FormData:
    """The submitted form, its CSRF token checked."""
    check_csrf(request, form.get("csrf_token"))
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]
