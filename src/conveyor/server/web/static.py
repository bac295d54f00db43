"""GET /static/NAME: the package's static files (CSS, JavaScript, their licences), with an
ETag so that browsers revalidate cheaply. Only files that exist in the package are served."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.responses import Response

from conveyor.server.web.errors import WebError

router = APIRouter(include_in_schema=False)
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}", re.ASCII)
TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
}


@cache
def _load(name: str) -> tuple[bytes, str] | None:
    resource = files("conveyor.server.web").joinpath("static", name)
    if not resource.is_file():
        return None
    data = resource.read_bytes()
    return data, '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


@router.get("/static/{name}")
def static_file(request: Request, name: str) -> Response:
    """One static file, or a 404 page."""
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    found = _load(name) if NAME.fullmatch(name) and suffix in TYPES else None
    if found is None:
        raise WebError(404, "page not found")
    data, etag = found
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=TYPES[suffix], headers=headers)
