"""The `conveyor` client commands against a live server on each database."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from conveyor.cli.main import main
from tests.server.conftest import ADMIN_TOKEN
from tests.server.e2e.conftest import Live

SLUG = "acme/widgets"
Capture = pytest.CaptureFixture[str]


def run(live: Live, capsys: Capture, *args: str, token: str = ADMIN_TOKEN) -> tuple[int, str, str]:
    """`conveyor ARGS --server ... --token ...`: exit code, stdout, stderr."""
    capsys.readouterr()
    code = main([*args, "--server", live.base, "--token", token])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def as_json(live: Live, capsys: Capture, *args: str) -> Any:
    code, out, err = run(live, capsys, *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_repositories(live: Live, capsys: Capture) -> None:
    code, out, err = run(live, capsys, "repo", "add", SLUG, "--git-url", live.repo.url)
    assert code == 0, err
    assert "slug:" in out
    assert SLUG in out
    listed = as_json(live, capsys, "repo", "ls")
    assert [r["slug"] for r in listed] == [SLUG]
    code, out, _ = run(live, capsys, "repo", "ls")
    assert out.splitlines()[0].split() == [
        "REPOSITORY",
        "BRANCH",
        "TRUSTED",
        "BUILDS",
        "GIT",
        "URL",
    ]
    code, out, err = run(live, capsys, "repo", "update", SLUG, "--trusted", "--timeout", "90")
    assert code == 0, err
    info = as_json(live, capsys, "repo", "info", SLUG)
    assert (info["trusted"], info["timeout"], info["git_http_url"]) == (True, 90, live.repo.url)
    hook = as_json(live, capsys, "repo", "hook", SLUG)
    assert hook["url"].endswith("/hook")
    assert hook["secret"]
    code, out, err = run(live, capsys, "repo", "rm", SLUG)
    assert (code, out) == (0, f"removed {SLUG}\n"), err
    code, _, err = run(live, capsys, "repo", "info", SLUG)
    assert (code, err) == (
        1,
        f"conveyor: error: repository {SLUG} was not found on the server (404)\n",
    )


def test_secrets_never_come_back(live: Live, capsys: Capture, tmp_path: Path) -> None:
    run(live, capsys, "repo", "add", SLUG, "--git-url", live.repo.url)
    value = "v4lue-that-must-never-be-printed"
    file = tmp_path / "value.txt"
    file.write_text(value)
    code, out, err = run(
        live, capsys, "secret", "add", SLUG, "--name", "api_token", "--data", f"@{file}"
    )
    assert code == 0, err
    code, out, err = run(
        live, capsys, "secret", "add", "--org", "acme", "--name", "org_one", "--data", value
    )
    assert code == 0, err
    code, out, _ = run(live, capsys, "secret", "ls", SLUG)
    assert "api_token" in out
    assert value not in out
    listed = as_json(live, capsys, "secret", "ls", SLUG)
    assert [s["name"] for s in listed] == ["api_token"]
    assert value not in json.dumps(listed)
    updated = as_json(
        live, capsys, "secret", "update", SLUG, "--name", "api_token", "--allow-pull-request"
    )
    assert updated["pull_request"] is True
    assert value not in json.dumps(
        as_json(live, capsys, "secret", "info", "--org", "acme", "org_one")
    )
    code, out, err = run(live, capsys, "secret", "rm", SLUG, "api_token")
    assert code == 0, err
    assert as_json(live, capsys, "secret", "ls", SLUG) == []
    code, _, err = run(live, capsys, "secret", "ls")
    assert code == 2
    assert "either a repository" in err


def test_errors_are_one_line_with_exit_codes(live: Live, capsys: Capture) -> None:
    code, _, err = run(live, capsys, "repo", "ls", token="wrong-token-0123456789")
    assert (code, err) == (
        1,
        "conveyor: error: the server refused the token (401); check --token or CONVEYOR_TOKEN\n",
    )
    code, _, err = run(live, capsys, "build", "info", "acme/none", "1")
    assert code == 1
    assert "was not found on the server (404)" in err
    code, _, err = run(live, capsys, "repo", "add", "not-a-slug", "--git-url", "x")
    assert code == 2
    assert "write it as OWNER/NAME" in err
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    capsys.readouterr()
    code = main(["repo", "ls", "--server", f"http://127.0.0.1:{port}", "--token", ADMIN_TOKEN])
    assert code == 2
    assert f"cannot reach the server at http://127.0.0.1:{port}" in capsys.readouterr().err


def test_environment_variables(
    live: Live, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRONE_SERVER", live.base)
    monkeypatch.setenv("DRONE_TOKEN", ADMIN_TOKEN)
    capsys.readouterr()
    assert main(["repo", "ls", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_agent_ls(live: Live, capsys: Capture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVEYOR_SERVER", live.base)
    monkeypatch.setenv("CONVEYOR_TOKEN", ADMIN_TOKEN)
    capsys.readouterr()
    code = main(["agent", "ls", "--format", "json"])
    out, err = capsys.readouterr()
    if code == 0:
        assert isinstance(json.loads(out), list)
    else:
        assert (code, err) == (
            1,
            f"conveyor: error: the server at {live.base} has no agents API yet\n",
        )


def test_queue(live: Live, capsys: Capture) -> None:
    code, out, err = run(live, capsys, "repo", "add", SLUG, "--git-url", live.repo.url)
    assert code == 0, err
    code, out, err = run(live, capsys, "build", "create", SLUG)
    assert code == 0, err
    waiting = as_json(live, capsys, "queue", "ls")
    assert waiting
    assert {item["repo"] for item in waiting} == {SLUG}
    assert all(item["reason"] for item in waiting)
    code, out, _ = run(live, capsys, "queue", "pause")
    assert (code, out) == (0, "the queue is paused\n")
    reasons = {item["reason"] for item in as_json(live, capsys, "queue", "ls")}
    assert "the queue is paused (POST /api/queue/resume)" in reasons
    code, out, _ = run(live, capsys, "queue", "resume")
    assert (code, out) == (0, "the queue runs\n")
    code, out, _ = run(live, capsys, "queue", "ls")
    assert out.splitlines()[0].split() == ["REPOSITORY", "BUILD", "STAGE", "STATUS", "REASON"]
