"""POST /hook on the server: a signed push builds once, a replay does not build twice, a bad or
missing signature is 401 with nothing stored, [ci skip] is honoured, a broken file fails."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from conveyor.server.store.models import Build, Delivery

from .builds_support import BROKEN, make_project
from .conftest import Api
from .hooks.payloads import encode, gitea_headers, gitea_push, gitea_repo


def _counts(api: Api) -> tuple[int, int]:
    with api.state.sessions() as session:
        builds = session.scalar(select(func.count()).select_from(Build)) or 0
        deliveries = session.scalar(select(func.count()).select_from(Delivery)) or 0
    return builds, deliveries


def test_signed_push_builds_once(api: Api, tmp_path: Path) -> None:
    project = make_project(api, tmp_path)
    first = project.push_hook(delivery="abc")
    assert first.status_code == 200, first.text
    assert first.json()["number"] == 1
    replay = project.push_hook(delivery="abc")
    assert replay.status_code == 200
    assert "duplicate" in replay.json()["message"]
    assert _counts(api) == (1, 1)
    build = api.client.get("/api/repos/octo/app/builds/1", headers=api.admin).json()
    assert (build["event"], build["ref"], build["after"]) == (
        "push",
        "refs/heads/main",
        project.git.head(),
    )
    assert [s["status"] for s in build["stages"]] == ["pending", "waiting_on_dependencies"]


def test_bad_or_missing_signature_is_401_and_stores_nothing(api: Api, tmp_path: Path) -> None:
    project = make_project(api, tmp_path)
    bad = project.push_hook(delivery="x1", secret="not-the-secret")
    assert bad.status_code == 401
    body = encode(gitea_push(after=project.git.head(), repository=gitea_repo("octo/app")))
    missing = api.client.post("/hook", content=body, headers=gitea_headers("push", "x2"))
    assert missing.status_code == 401
    unknown = encode(gitea_push(repository=gitea_repo("nobody/here")))
    assert api.client.post("/hook", content=unknown, headers=gitea_headers()).status_code == 401
    assert _counts(api) == (0, 0)


def test_ci_skip_and_ignored_events(api: Api, tmp_path: Path) -> None:
    project = make_project(api, tmp_path)
    skipped = project.push_hook(delivery="s1", message="docs only [CI SKIP]\n")
    assert skipped.status_code == 200
    assert skipped.json()["message"].startswith("skipped")
    secret = project.hook_secret()
    from conveyor.server.hooks import sign

    body = encode({"zen": "hi", "repository": gitea_repo("octo/app")})
    headers = {**gitea_headers("ping", "p1"), "X-Gitea-Signature": sign(body, secret)}
    ping = api.client.post("/hook", content=body, headers=headers)
    assert ping.status_code == 200
    assert ping.json()["message"].startswith("ignored")
    assert _counts(api) == (0, 0)


def test_push_of_a_broken_file_is_a_failed_build(api: Api, tmp_path: Path) -> None:
    project = make_project(api, tmp_path)
    project.git.commit({".drone.yml": BROKEN}, "break it")
    project.git.push("main")
    assert project.push_hook(delivery="b1").status_code == 200
    build = api.client.get("/api/repos/octo/app/builds/1", headers=api.admin).json()
    assert build["status"] == "failure"
    assert ".drone.yml:6:" in build["error"]
    assert ".drone.yml:7:" in build["error"]


def test_malformed_requests_are_400_never_500(api: Api) -> None:
    assert api.client.post("/hook", content=b"{}").status_code == 400
    for body in (b"", b"{", b"[]", b'{"repository": 5}', b"\xff\xfe"):
        answer = api.client.post("/hook", content=body, headers=gitea_headers())
        assert answer.status_code == 400, (body, answer.text)
        assert set(answer.json()) == {"message"}
