"""A push to a bare repository whose post-receive hook posts a signed Gitea webhook, as a forge
would: the server builds exactly once, from the pipeline file at the pushed commit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conveyor.server.hooks import sign
from tests.server.e2e.conftest import Live
from tests.server.git_hook import install_push_hook
from tests.server.git_http import serve_git

SLUG = "acme/widgets"


def _add_repo(live: Live) -> str:
    """Create the repository; returns its webhook secret."""
    made = live.api("POST", f"/repos/{SLUG}", json={"git_http_url": live.repo.url})
    assert made.status_code in (200, 201), made.text
    hook = live.api("GET", f"/repos/{SLUG}/hook")
    assert hook.status_code == 200, hook.text
    data = hook.json()
    assert data["url"].endswith("/hook")
    return str(data["secret"])


def _builds(live: Live) -> list[dict[str, Any]]:
    answer = live.api("GET", f"/repos/{SLUG}/builds")
    assert answer.status_code == 200, answer.text
    builds: list[dict[str, Any]] = answer.json()
    return builds


def _build(live: Live, number: int) -> dict[str, Any]:
    answer = live.api("GET", f"/repos/{SLUG}/builds/{number}")
    assert answer.status_code == 200, answer.text
    build: dict[str, Any] = answer.json()
    return build


def test_a_push_builds_once_with_queued_stages(live: Live) -> None:
    secret = _add_repo(live)
    install_push_hook(live.repo.bare, f"{live.base}/hook", secret, SLUG)
    before = live.repo.head()
    sha = live.repo.commit({"src.txt": "1\n"}, "add the source")
    output = live.repo.push()
    assert "conveyor webhook refs/heads/main 2" in output, output
    (build,) = _builds(live)
    assert (build["event"], build["after"], build["before"]) == ("push", sha, before)
    assert (build["ref"], build["target"], build["status"]) == (
        "refs/heads/main",
        "main",
        "pending",
    )
    stages = _build(live, build["number"])["stages"]
    assert [(s["name"], s["status"]) for s in stages] == [
        ("test", "pending"),
        ("publish", "waiting_on_dependencies"),
    ]


def _post(live: Live, body: bytes, secret: str, delivery: str) -> int:
    headers = {
        "Content-Type": "application/json",
        "X-Gitea-Event": "push",
        "X-Gitea-Delivery": delivery,
        "X-Gitea-Signature": sign(body, secret),
    }
    answer = live.http.post(f"{live.base}/hook", data=body, headers=headers, timeout=60)
    assert "Traceback" not in answer.text
    return answer.status_code


def _push_body(after: str, before: str, message: str) -> bytes:
    commit = {"id": after, "message": message, "author": {"username": "alice"}}
    return json.dumps(
        {
            "ref": "refs/heads/main",
            "before": before,
            "after": after,
            "commits": [commit],
            "repository": {"full_name": SLUG},
            "sender": {"login": "alice"},
        }
    ).encode()


def test_a_replayed_delivery_does_not_build_twice(live: Live) -> None:
    secret = _add_repo(live)
    body = _push_body(live.repo.head(), "0" * 40, "first")
    assert _post(live, body, secret, "delivery-1") < 300
    assert _post(live, body, secret, "delivery-1") < 300
    assert len(_builds(live)) == 1
    assert _post(live, body, secret, "delivery-2") < 300
    assert len(_builds(live)) == 2


def test_a_bad_or_missing_signature_is_401_and_stores_nothing(live: Live) -> None:
    secret = _add_repo(live)
    body = _push_body(live.repo.head(), "0" * 40, "first")
    assert _post(live, body, secret + "x", "d-1") == 401
    headers = {"X-Gitea-Event": "push", "X-Gitea-Delivery": "d-2"}
    answer = live.http.post(f"{live.base}/hook", data=body, headers=headers, timeout=60)
    assert answer.status_code == 401
    assert _builds(live) == []
    # the delivery ids were not remembered: the genuine webhook still builds
    assert _post(live, body, secret, "d-1") < 300
    assert len(_builds(live)) == 1


def test_ci_skip_is_honoured(live: Live) -> None:
    secret = _add_repo(live)
    install_push_hook(live.repo.bare, f"{live.base}/hook", secret, SLUG)
    live.repo.commit({"docs.md": "x\n"}, "docs only [CI SKIP]")
    live.repo.push()
    assert _builds(live) == []


def test_a_broken_pipeline_file_is_a_failed_build_listing_its_diagnostics(live: Live) -> None:
    secret = _add_repo(live)
    install_push_hook(live.repo.bare, f"{live.base}/hook", secret, SLUG)
    broken = "kind: pipeline\nsteps:\n- name: a\n  image: Not Valid\n  pull: sometimes\n"
    live.repo.commit({".drone.yml": broken}, "break the pipeline")
    live.repo.push()
    (build,) = _builds(live)
    assert build["status"] == "failure"
    error = _build(live, build["number"])["error"]
    assert ".drone.yml:4:10: error[" in error
    assert ".drone.yml:5:9: error[" in error
    assert "2 errors" in error


def test_a_github_push_to_a_repository_served_over_http(live: Live, tmp_path: Path) -> None:
    """The server reads the pipeline file over http:// (git http-backend), from a GitHub push."""
    with serve_git(live.repo.bare.parent) as git_base:
        url = f"{git_base}/{live.repo.bare.name}"
        made = live.api("POST", f"/repos/{SLUG}", json={"git_http_url": url})
        assert made.status_code == 201, made.text
        secret = live.api("GET", f"/repos/{SLUG}/hook").json()["secret"]
        sha = live.repo.commit({"x.txt": "1\n"}, "over http")
        live.repo.push()
        body = json.dumps(
            {
                "ref": "refs/heads/main",
                "before": "0" * 40,
                "after": sha,
                "head_commit": {"id": sha, "message": "over http", "author": {"username": "al"}},
                "repository": {"full_name": "Acme/Widgets"},
                "sender": {"login": "al"},
            }
        ).encode()
        headers = {
            "X-GitHub-Event": "push",
            "X-GitHub-Delivery": "gh-1",
            "X-Hub-Signature-256": "sha256=" + sign(body, secret),
        }
        answer = live.http.post(f"{live.base}/hook", data=body, headers=headers, timeout=60)
        assert answer.status_code < 300, answer.text
    (build,) = _builds(live)
    assert (build["after"], build["status"], build["author_login"]) == (sha, "pending", "al")
    assert [s["status"] for s in _build(live, build["number"])["stages"]] == [
        "pending",
        "waiting_on_dependencies",
    ]
