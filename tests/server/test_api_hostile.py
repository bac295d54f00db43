"""SQL metacharacters and odd text in every string field: stored as given or refused with 400,
never a 500 or a traceback."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from .conftest import Api

NASTY = [
    "'; DROP TABLE users; --",
    '" OR 1=1 --',
    "%_\\",
    "\u202e\u0000nul",
    "x" * 3000,
    "../../etc/passwd",
]


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_string_fields_never_break_the_server(api: Api, text: str) -> None:
    api.repo("octo/app")
    calls = [
        ("POST", "/api/users", {"login": "u1", "email": text}),
        ("PATCH", "/api/users/admin", {"email": text}),
        ("POST", "/api/repos/octo/other", {"git_http_url": "/x", "default_branch": text}),
        ("PATCH", "/api/repos/octo/app", {"config_path": text}),
        ("PATCH", "/api/repos/octo/app", {"git_http_url": text}),
        ("POST", "/api/repos/octo/app/secrets", {"name": "s", "data": text}),
        ("POST", "/api/repos/octo/app/secrets", {"name": text, "data": "v"}),
        ("PUT", f"/api/repos/octo/app/collaborators/{quote(text[:50], safe='')}", {"read": True}),
        ("GET", f"/api/repos/octo/app/builds?branch={quote(text[:200], safe='')}", None),
        ("GET", f"/api/repos/octo/app/secrets/{quote(text[:100], safe='')}", None),
        ("GET", f"/api/users/{quote(text[:100], safe='')}", None),
    ]
    for method, path, body in calls:
        answer = api.client.request(method, path, json=body, headers=api.admin)
        assert answer.status_code < 500, (method, path, answer.text)
        assert "Traceback" not in answer.text
        assert set(answer.json()) >= ({"message"} if answer.status_code >= 400 else set())
    for path in (
        "/api/repos/octo/app/builds/99999999999999999999999",
        "/api/repos/octo/app/builds/0",
    ):
        answer = api.client.get(path, headers=api.admin)
        assert answer.status_code == 400
        assert answer.json()["message"].startswith("field number:")
    users = api.client.get("/api/users", headers=api.admin)
    assert users.status_code == 200
    assert "admin" in [u["login"] for u in users.json()]
