"""`conveyor build ...` against a live server on each database, with a real git repository."""

from __future__ import annotations

from tests.server.e2e.conftest import Live
from tests.server.e2e.test_client_live import SLUG, Capture, as_json, run


def test_builds(live: Live, capsys: Capture) -> None:
    run(live, capsys, "repo", "add", SLUG, "--git-url", live.repo.url)
    code, out, err = run(live, capsys, "build", "create", SLUG, "--param", "DEPLOY=staging")
    assert (code, out) == (0, "1\n"), err
    build = as_json(live, capsys, "build", "info", SLUG, "1")
    assert (build["event"], build["after"], build["status"]) == (
        "custom",
        live.repo.head(),
        "pending",
    )
    assert [s["name"] for s in build["stages"]] == ["test", "publish"]
    code, out, _ = run(live, capsys, "build", "info", SLUG, "1")
    assert "status:" in out
    assert "1 test" in out
    assert "2 publish" in out
    listed = as_json(live, capsys, "build", "ls", SLUG, "--branch", "main")
    assert [b["number"] for b in listed] == [1]
    code, out, err = run(live, capsys, "build", "restart", SLUG, "1")
    assert (code, out) == (0, "2\n"), err
    code, out, err = run(live, capsys, "build", "cancel", SLUG, "2")
    assert (code, out) == (0, f"cancelled {SLUG}#2\n"), err
    assert as_json(live, capsys, "build", "info", SLUG, "2")["status"] == "killed"
    code, out, err = run(live, capsys, "build", "logs", SLUG, "1")
    assert code == 0, err
    assert "--- test / unit (pending)" in out
    assert as_json(live, capsys, "build", "logs", SLUG, "1") == []  # no step has started
