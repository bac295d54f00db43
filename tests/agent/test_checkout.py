"""The clone step with real git: the build's commit, shallow when asked, failures reported, a
cancel that kills git (and its remote helper) while it waits for a stalled server."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

from conveyor.agent.checkout import CheckoutResult, checkout, hide_password
from conveyor.rpc.assignment import BuildRef, CloneOptions
from tests.agent.stall_git import stalling_git


def _git(where: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=where, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def _repo(tmp_path: Path) -> tuple[Path, list[str]]:
    """A repository with three commits on main; their ids, oldest first."""
    repo = tmp_path / "origin"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    commits = []
    for n in range(3):
        (repo / "file.txt").write_text(f"version {n}\n")
        _git(repo, "add", "file.txt")
        _git(repo, "commit", "-q", "-m", f"commit {n}")
        commits.append(_git(repo, "rev-parse", "HEAD"))
    return repo, commits


def test_checks_out_the_builds_commit_shallow(tmp_path: Path) -> None:
    repo, commits = _repo(tmp_path)
    into = tmp_path / "work"
    into.mkdir()
    lines: list[str] = []
    build = BuildRef(number=1, event="push", ref="refs/heads/main", commit=commits[2])
    result = checkout(f"file://{repo}", build, CloneOptions(depth=1), into, lines.append)
    assert result.ok, lines
    assert (into / "file.txt").read_text() == "version 2\n"
    assert _git(into, "rev-list", "--count", "HEAD") == "1"
    assert lines[0] == "+ git init -q"


def test_an_older_commit_of_the_branch_is_fetched_by_id(tmp_path: Path) -> None:
    repo, commits = _repo(tmp_path)
    into = tmp_path / "work"
    into.mkdir()
    build = BuildRef(number=1, event="push", ref="refs/heads/main", commit=commits[0])
    lines: list[str] = []
    assert checkout(str(repo), build, CloneOptions(depth=1), into, lines.append).ok, lines
    assert (into / "file.txt").read_text() == "version 0\n"


def test_a_missing_repository_fails_with_the_git_command(tmp_path: Path) -> None:
    into = tmp_path / "work"
    into.mkdir()
    lines: list[str] = []
    build = BuildRef(number=1, event="push", ref="refs/heads/main", commit="a" * 40)
    result = checkout(str(tmp_path / "nothing"), build, CloneOptions(), into, lines.append)
    assert not result.ok
    assert result.error == f"git fetch failed (exit code {result.exit_code})"
    assert any("fatal" in line for line in lines)


def test_passwords_in_urls_are_hidden() -> None:
    assert hide_password("fetch https://bob:pw@git.example.com/r.git x") == (
        "fetch https://***@git.example.com/r.git x"
    )
    assert hide_password("no url here @ all") == "no url here @ all"


def test_a_cancel_kills_a_stalled_git_with_its_helpers(tmp_path: Path) -> None:
    into = tmp_path / "work"
    into.mkdir()
    lines: list[str] = []
    cancel = threading.Event()
    results: list[CheckoutResult] = []
    build = BuildRef(number=1, event="push", ref="refs/heads/main", commit="a" * 40)
    with stalling_git(tmp_path, stalled=True) as server:

        def clone() -> None:
            url = f"{server.url}/repo.git"
            results.append(checkout(url, build, CloneOptions(), into, lines.append, cancel=cancel))

        worker = threading.Thread(target=clone)
        worker.start()
        assert server.asked.wait(30), lines
        cancel.set()
        worker.join(30)
        # git's HTTP helper (a child of `git fetch`) was killed too: its connection closed
        assert server.closed.wait(30)
    assert results == [
        CheckoutResult(exit_code=137, error="the clone was cancelled", cancelled=True)
    ]
    assert lines[-1].startswith("+ git fetch")


def test_a_cancelled_checkout_runs_no_git(tmp_path: Path) -> None:
    repo, commits = _repo(tmp_path)
    cancel = threading.Event()
    cancel.set()
    lines: list[str] = []
    build = BuildRef(number=1, event="push", ref="refs/heads/main", commit=commits[0])
    result = checkout(str(repo), build, CloneOptions(), tmp_path, lines.append, cancel=cancel)
    assert (result.cancelled, lines) == (True, [])
