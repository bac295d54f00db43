"""Every route, from one table: 401 without a token, 403/404 for a caller without permission,
400 naming the field for a bad body, unknown fields refused, 413 over the size limit; and the
OpenAPI description lists exactly these routes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute

from conveyor.server.app import ROUTERS

from .conftest import Api


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    need: str
    """"user": any signed-in user; "read"/"write"/"admin": on octo/app; "system": system admin."""
    body: dict[str, Any] | None = None
    bad: tuple[str, Any] | None = None
    """A field and a value of the wrong type: 400 naming that field."""


SECRET = {"name": "s2", "data": "v"}
ROUTES = [
    Route("GET", "/api/user", "user"),
    Route("POST", "/api/user/token?rotate=true", "user"),
    Route("GET", "/api/users", "system"),
    Route("POST", "/api/users", "system", {"login": "new"}, ("admin", "yes")),
    Route("GET", "/api/users/reader", "system"),
    Route("PATCH", "/api/users/reader", "system", {"email": "x@y"}, ("active", 3)),
    Route("DELETE", "/api/users/reader", "system"),
    Route("GET", "/api/user/repos", "user"),
    Route("POST", "/api/repos/octo/new", "user", {"git_http_url": "/x"}, ("git_http_url", 5)),
    Route("GET", "/api/repos/octo/app", "read"),
    Route("PATCH", "/api/repos/octo/app", "admin", {"config_path": "a.yml"}, ("protected", "no")),
    Route("DELETE", "/api/repos/octo/app", "admin"),
    Route("GET", "/api/repos/octo/app/hook", "admin"),
    Route("GET", "/api/repos/octo/app/collaborators", "read"),
    Route("GET", "/api/repos/octo/app/collaborators/reader", "read"),
    Route("PUT", "/api/repos/octo/app/collaborators/admin", "admin", {"read": True}, ("write", 1)),
    Route("DELETE", "/api/repos/octo/app/collaborators/reader", "admin"),
    Route("GET", "/api/repos/octo/app/secrets", "write"),
    Route("POST", "/api/repos/octo/app/secrets", "write", SECRET, ("pull_request", "y")),
    Route("GET", "/api/repos/octo/app/secrets/s1", "write"),
    Route("PATCH", "/api/repos/octo/app/secrets/s1", "write", {"data": "w"}, ("data", 7)),
    Route("DELETE", "/api/repos/octo/app/secrets/s1", "write"),
    Route("GET", "/api/secrets", "system"),
    Route("GET", "/api/secrets/octo", "system"),
    Route("POST", "/api/secrets/octo", "system", SECRET, ("name", ["x"])),
    Route("GET", "/api/secrets/octo/o1", "system"),
    Route("PATCH", "/api/secrets/octo/o1", "system", {"data": "w"}, ("pull_request_push", 0)),
    Route("DELETE", "/api/secrets/octo/o1", "system"),
    Route("GET", "/api/repos/octo/app/builds?page=1", "read"),
    Route("POST", "/api/repos/octo/app/builds?branch=main", "write"),
    Route("GET", "/api/repos/octo/app/builds/1", "read"),
    Route("POST", "/api/repos/octo/app/builds/1", "write"),
    Route("DELETE", "/api/repos/octo/app/builds/1", "write"),
    Route("POST", "/api/repos/octo/app/builds/1/approve/1", "write"),
    Route("POST", "/api/repos/octo/app/builds/1/decline/1", "write"),
    Route("GET", "/api/repos/octo/app/builds/1/logs/1/1", "read"),
    Route("GET", "/api/agents", "system"),
    Route("GET", "/api/queue", "system"),
    Route("POST", "/api/queue/pause", "system"),
    Route("POST", "/api/queue/resume", "system"),
    Route("GET", "/api/stream", "user"),
    Route("GET", "/api/stream/octo/app/1/1/1", "read"),
]
OPEN = {("GET", "/healthz"), ("GET", "/metrics"), ("POST", "/hook")}
"""Routes without a bearer token: /hook is authenticated by the webhook signature."""
IDS = [f"{r.method} {r.path}" for r in ROUTES]


def _world(api: Api) -> dict[str, dict[str, str]]:
    """octo/app (private) with a reader collaborator, a secret s1, an org secret o1, and a
    stranger with no permission at all."""
    api.repo("octo/app")
    reader = api.user("reader")
    api.client.put(
        "/api/repos/octo/app/collaborators/reader", json={"read": True}, headers=api.admin
    )
    api.client.post(
        "/api/repos/octo/app/secrets", json={"name": "s1", "data": "v"}, headers=api.admin
    )
    api.client.post("/api/secrets/octo", json={"name": "o1", "data": "v"}, headers=api.admin)
    return {"reader": reader, "stranger": api.user("stranger")}


def _call(api: Api, route: Route, headers: dict[str, str], body: Any = None) -> Any:
    kwargs: dict[str, Any] = {"headers": headers}
    if body is not None:
        kwargs["json"] = body
    elif route.body is not None:
        kwargs["json"] = route.body
    return api.client.request(route.method, route.path, **kwargs)


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_unauthenticated_is_401(api: Api, route: Route) -> None:
    _world(api)
    for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": "Basic x"}):
        answer = _call(api, route, headers)
        assert answer.status_code == 401, answer.text
        assert answer.json()["message"].startswith("unauthorized")


@pytest.mark.parametrize("route", [r for r in ROUTES if r.need != "user"], ids=lambda r: r.path)
def test_unauthorised_is_403_or_404(api: Api, route: Route) -> None:
    users = _world(api)
    stranger = _call(api, route, users["stranger"])
    expected = 403 if route.need == "system" else 404
    assert stranger.status_code == expected, stranger.text
    if route.need in {"write", "admin", "system"}:
        reader = _call(api, route, users["reader"])
        assert reader.status_code == 403, reader.text


@pytest.mark.parametrize("route", [r for r in ROUTES if r.bad], ids=lambda r: r.path)
def test_bad_body_names_the_field(api: Api, route: Route) -> None:
    _world(api)
    assert route.body is not None
    assert route.bad is not None
    field, value = route.bad
    answer = _call(api, route, api.admin, {**route.body, field: value})
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"].startswith(f"field {field}:")
    for body, message in (
        ({**route.body, "bogus": 1}, "field bogus: unknown field"),
        ([1, 2], "the body must be a JSON object"),
    ):
        answer = _call(api, route, api.admin, body)
        assert answer.status_code == 400
        assert answer.json() == {"message": message}
    broken = api.client.request(
        route.method,
        route.path,
        headers={**api.admin, "Content-Type": "application/json"},
        content=b'{"name": ',
    )
    assert broken.json() == {"message": "the body is not valid JSON"}


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_oversized_body_is_413(api: Api, route: Route) -> None:
    _world(api)
    big = b'{"name": "' + b"x" * (1024 * 1024) + b'"}'
    answer = api.client.request(
        route.method,
        route.path,
        headers={**api.admin, "Content-Type": "application/json"},
        content=big,
    )
    assert answer.status_code == 413
    assert "over" in answer.json()["message"]


def test_the_table_and_openapi_cover_every_route(api: Api) -> None:
    routes = [r for m in ROUTERS for r in m.router.routes if isinstance(r, APIRoute)]
    app_routes = {(method, route.path) for route in routes for method in route.methods or ()}
    table = set()
    for entry in ROUTES:
        path = entry.path.split("?")[0]
        matching = [
            r.path for r in routes if r.path_regex.match(path) and entry.method in (r.methods or ())
        ]
        assert len(matching) == 1, (entry, matching)
        table.add((entry.method, matching[0]))
    assert app_routes - OPEN == table
    spec = api.client.get("/api/openapi.json").json()
    documented = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    assert documented == app_routes
