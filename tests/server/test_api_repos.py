"""Repositories and collaborators: create, permissions (404 hidden, 403 read-only), hook secret."""

from __future__ import annotations

from .conftest import Api


def test_create_read_update_delete(api: Api) -> None:
    alice = api.user("alice")
    created = api.repo("Octo/Hello", alice, default_branch="trunk")
    assert created["slug"] == "octo/hello"
    assert created["permissions"] == {"read": True, "write": True, "admin": True}
    assert (created["default_branch"], created["trusted"], created["counter"]) == (
        "trunk",
        False,
        0,
    )
    again = api.client.post("/api/repos/octo/hello", json={"git_http_url": "/x"}, headers=alice)
    assert again.status_code == 409
    patched = api.client.patch(
        "/api/repos/octo/hello", json={"config_path": "ci.yml"}, headers=alice
    )
    assert patched.json()["config_path"] == "ci.yml"
    trusted = api.client.patch("/api/repos/octo/hello", json={"trusted": True}, headers=alice)
    assert trusted.status_code == 403
    assert "trusted" in trusted.json()["message"]
    by_admin = api.client.patch(
        "/api/repos/octo/hello", json={"trusted": True, "timeout": 90}, headers=api.admin
    )
    assert (by_admin.json()["trusted"], by_admin.json()["timeout"]) == (True, 90)
    assert [r["slug"] for r in api.client.get("/api/user/repos", headers=alice).json()] == [
        "octo/hello"
    ]
    assert api.client.delete("/api/repos/octo/hello", headers=alice).status_code == 204
    assert api.client.get("/api/repos/octo/hello", headers=alice).status_code == 404


def test_private_repo_is_hidden_and_read_only_is_403(api: Api) -> None:
    api.repo("octo/private")
    bob = api.user("bob")
    assert api.client.get("/api/repos/octo/private", headers=bob).status_code == 404
    assert api.client.get("/api/user/repos", headers=bob).json() == []
    put = api.client.put(
        "/api/repos/octo/private/collaborators/bob", json={"read": True}, headers=api.admin
    )
    assert put.json()["read"] is True
    assert put.json()["write"] is False
    assert api.client.get("/api/repos/octo/private", headers=bob).json()["permissions"] == {
        "read": True,
        "write": False,
        "admin": False,
    }
    assert api.client.get("/api/repos/octo/private/hook", headers=bob).status_code == 403
    assert api.client.get("/api/repos/octo/private/secrets", headers=bob).status_code == 403
    listed = api.client.get("/api/repos/octo/private/collaborators", headers=bob).json()
    assert sorted(c["login"] for c in listed) == ["admin", "bob"]
    assert (
        api.client.delete(
            "/api/repos/octo/private/collaborators/bob", headers=api.admin
        ).status_code
        == 204
    )
    assert api.client.get("/api/repos/octo/private", headers=bob).status_code == 404


def test_public_repo_is_readable_by_anyone_signed_in(api: Api) -> None:
    api.repo("octo/open", visibility="public")
    bob = api.user("bob")
    assert api.client.get("/api/repos/octo/open", headers=bob).json()["visibility"] == "public"
    assert api.client.patch("/api/repos/octo/open", json={}, headers=bob).status_code == 403


def test_hook_url_and_secret(api: Api) -> None:
    api.repo("octo/hooked")
    hook = api.client.get("/api/repos/octo/hooked/hook", headers=api.admin).json()
    assert hook["url"] == "http://127.0.0.1:8080/hook"
    assert len(hook["secret"]) == 64
    other = api.repo("octo/other")
    assert other["slug"] == "octo/other"
    assert (
        api.client.get("/api/repos/octo/other/hook", headers=api.admin).json()["secret"]
        != (hook["secret"])
    )


def test_bad_names_and_urls(api: Api) -> None:
    assert api.client.get("/api/repos/..%2F../x", headers=api.admin).status_code == 404
    assert api.client.get("/api/repos/.hidden/x", headers=api.admin).status_code == 404
    bad = api.client.post("/api/repos/o/n", json={"git_http_url": "ssh://x\n"}, headers=api.admin)
    assert bad.status_code == 400
    assert bad.json()["message"].startswith("field git_http_url:")
