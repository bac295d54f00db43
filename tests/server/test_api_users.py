"""/api/user and /api/users: tokens are shown once, rotated, and only admins manage users."""

from __future__ import annotations

from .conftest import Api


def test_self_and_token_rotation(api: Api) -> None:
    alice = api.user("alice")
    me = api.client.get("/api/user", headers=alice)
    assert me.status_code == 200
    assert me.json()["login"] == "alice"
    assert "token" not in me.json()
    refused = api.client.post("/api/user/token", headers=alice)
    assert refused.status_code == 400
    assert "rotate" in refused.json()["message"]
    new = api.client.post("/api/user/token?rotate=true", headers=alice).json()["token"]
    assert api.client.get("/api/user", headers=alice).status_code == 401
    assert api.client.get("/api/user", headers={"Authorization": f"Bearer {new}"}).is_success
    assert api.client.get(f"/api/user?access_token={new}").json()["login"] == "alice"


def test_admin_manages_users(api: Api) -> None:
    bob = api.user("bob")
    assert api.client.get("/api/users", headers=bob).status_code == 403
    listed = api.client.get("/api/users", headers=api.admin).json()
    assert [u["login"] for u in listed] == ["admin", "bob"]
    patched = api.client.patch("/api/users/bob", json={"active": False}, headers=api.admin)
    assert patched.json()["active"] is False
    assert api.client.get("/api/user", headers=bob).status_code == 401
    assert (
        api.client.post("/api/users", json={"login": "bob"}, headers=api.admin).status_code == 409
    )
    bad = api.client.post("/api/users", json={"login": "a b"}, headers=api.admin)
    assert bad.status_code == 400
    assert bad.json()["message"].startswith("field login:")
    assert api.client.delete("/api/users/bob", headers=api.admin).status_code == 204
    assert api.client.get("/api/users/bob", headers=api.admin).status_code == 404
    assert api.client.delete("/api/users/admin", headers=api.admin).status_code == 400
