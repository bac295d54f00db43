"""Realistic webhook payloads of Gitea and GitHub, written for these tests (trimmed to what
forges send that matters here, plus some noise fields)."""

from __future__ import annotations

import json
from typing import Any

HEAD = "9f1c2b3a4d5e6f708192a3b4c5d6e7f809112233"
BEFORE = "1a2b3c4d5e6f708192a3b4c5d6e7f80911223344"
BASE = "abcdefabcdefabcdefabcdefabcdefabcdefabcd"


def gitea_user(login: str = "alice", full: str = "Alice Liddell") -> dict[str, Any]:
    return {
        "id": 3,
        "login": login,
        "username": login,
        "full_name": full,
        "email": f"{login}@example.test",
        "avatar_url": f"http://forge.test/avatars/{login}",
    }


def gitea_repo(full_name: str = "Acme/Widgets") -> dict[str, Any]:
    owner, name = full_name.split("/")
    return {
        "id": 7,
        "owner": gitea_user(owner, owner),
        "name": name,
        "full_name": full_name,
        "private": False,
        "html_url": f"http://forge.test/{full_name}",
        "clone_url": f"http://forge.test/{full_name}.git",
        "default_branch": "main",
    }


def gitea_commit(sha: str, message: str, login: str = "alice") -> dict[str, Any]:
    return {
        "id": sha,
        "message": message,
        "url": f"http://forge.test/Acme/Widgets/commit/{sha}",
        "author": {"name": "Alice Liddell", "email": "alice@example.test", "username": login},
        "committer": {"name": "Alice Liddell", "email": "alice@example.test", "username": login},
        "timestamp": "2026-11-30T10:00:00Z",
    }


def gitea_push(
    ref: str = "refs/heads/main", message: str = "fix the widget\n", **extra: Any
) -> dict[str, Any]:
    older = gitea_commit(BEFORE[::-1], "older commit\n", "bob")
    body: dict[str, Any] = {
        "ref": ref,
        "before": BEFORE,
        "after": HEAD,
        "compare_url": f"http://forge.test/Acme/Widgets/compare/{BEFORE}...{HEAD}",
        "commits": [gitea_commit(HEAD, message), older],
        "repository": gitea_repo(),
        "pusher": gitea_user("carol", "Carol C"),
        "sender": gitea_user("carol", "Carol C"),
    }
    body.update(extra)
    return body


def pull_request(action: str, title: str = "Add a widget", **extra: Any) -> dict[str, Any]:
    """Gitea and GitHub send this same shape."""
    body: dict[str, Any] = {
        "action": action,
        "number": 12,
        "pull_request": {
            "id": 99,
            "number": 12,
            "title": title,
            "body": "Longer text",
            "html_url": "http://forge.test/Acme/Widgets/pulls/12",
            "user": gitea_user("dave", "Dave D"),
            "head": {"ref": "feature/x", "sha": HEAD, "label": "feature/x"},
            "base": {"ref": "main", "sha": BASE, "label": "main"},
        },
        "repository": gitea_repo(),
        "sender": gitea_user("dave", "Dave D"),
    }
    body.update(extra)
    return body


def github_push(ref: str = "refs/heads/main", message: str = "fix the widget") -> dict[str, Any]:
    head = {
        "id": HEAD,
        "tree_id": "0" * 39 + "1",
        "distinct": True,
        "message": message,
        "timestamp": "2026-11-30T10:00:00-08:00",
        "url": f"https://github.test/Acme/Widgets/commit/{HEAD}",
        "author": {"name": "Alice Liddell", "email": "alice@example.test", "username": "alice"},
        "committer": {"name": "GitHub", "email": "noreply@github.test", "username": "web-flow"},
        "added": [],
        "removed": [],
        "modified": ["README.md"],
    }
    return {
        "ref": ref,
        "before": BEFORE,
        "after": HEAD,
        "created": False,
        "deleted": False,
        "forced": False,
        "base_ref": None,
        "compare": f"https://github.test/Acme/Widgets/compare/{BEFORE[:12]}...{HEAD[:12]}",
        "commits": [head],
        "head_commit": head,
        "repository": {
            "id": 1296269,
            "name": "Widgets",
            "full_name": "Acme/Widgets",
            "owner": {"login": "Acme", "avatar_url": "https://avatars.test/u/1"},
        },
        "pusher": {"name": "alice", "email": "alice@example.test"},
        "sender": {"login": "alice", "avatar_url": "https://avatars.test/u/2"},
    }


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()


def gitea_headers(event: str = "push", delivery: str = "d-1") -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Gitea-Event": event,
        "X-Gitea-Delivery": delivery,
        "X-GitHub-Event": event,
        "X-Gogs-Event": event,
    }


def github_headers(event: str = "push", delivery: str = "g-1") -> dict[str, str]:
    return {"X-GitHub-Event": event, "X-GitHub-Delivery": delivery}
