"""Reading the pipeline file at a commit from real git repositories, through the bare cache."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conveyor.server.intake import IntakeError, commit_info, read_file_at, resolve_commit
from conveyor.server.intake.gitread import cache_path, check_url, run_git, shown
from tests.server.git_support import GitRepo, git, make_repo

PIPELINE = "kind: pipeline\nname: default\nsteps:\n- name: a\n  image: alpine\n"


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return make_repo(tmp_path, {".drone.yml": PIPELINE})


def test_read_the_file_at_a_branch_head(repo: GitRepo, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    sha = resolve_commit(repo.url, "main", cache)
    assert sha == repo.head()
    assert read_file_at(repo.url, sha, ".drone.yml", cache) == PIPELINE.encode()
    assert (cache_path(repo.url, cache) / "HEAD").is_file()


def test_an_older_commit_and_a_new_one_after_a_push(repo: GitRepo, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = repo.head()
    assert read_file_at(repo.url, first, ".drone.yml", cache) == PIPELINE.encode()
    second = repo.commit({".drone.yml": PIPELINE + "# two\n", "ci/other.yml": "x: 1\n"})
    repo.push()
    assert read_file_at(repo.url, second, "ci/other.yml", cache) == b"x: 1\n"
    assert read_file_at(repo.url, second, "./.drone.yml", cache).endswith(b"# two\n")
    assert read_file_at(repo.url, first, ".drone.yml", cache) == PIPELINE.encode()


def test_a_commit_that_is_not_a_branch_head_is_fetched(repo: GitRepo, tmp_path: Path) -> None:
    middle = repo.commit({"a.txt": "a\n"})
    repo.commit({"b.txt": "b\n"})
    repo.push()
    assert read_file_at(repo.url, middle, "a.txt", tmp_path / "cache") == b"a\n"


def test_tags_and_full_refs_resolve(repo: GitRepo, tmp_path: Path) -> None:
    repo.tag("v1.0.0")
    repo.push("v1.0.0")
    cache = tmp_path / "cache"
    assert resolve_commit(repo.url, "v1.0.0", cache) == repo.head()
    assert resolve_commit(repo.url, "refs/tags/v1.0.0", cache) == repo.head()
    assert resolve_commit(repo.url, "refs/heads/main", cache) == repo.head()


def test_a_local_path_works_like_file_url(repo: GitRepo, tmp_path: Path) -> None:
    sha = resolve_commit(str(repo.bare), "main", tmp_path / "cache")
    assert read_file_at(str(repo.bare), sha, ".drone.yml", tmp_path / "cache") == PIPELINE.encode()


def test_missing_file_branch_and_commit_are_clear(repo: GitRepo, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    sha = repo.head()
    with pytest.raises(IntakeError, match=rf"\.drone\.yaml does not exist at commit {sha[:12]}"):
        read_file_at(repo.url, sha, ".drone.yaml", cache)
    repo.commit({"ci/x.yml": "x\n"})
    repo.push()
    with pytest.raises(IntakeError, match=r"is a tree, not a file"):
        read_file_at(repo.url, repo.head(), "ci", cache)
    with pytest.raises(IntakeError, match=r"git fetch of \+nope:.* failed: couldn't find"):
        resolve_commit(repo.url, "nope", cache)
    with pytest.raises(IntakeError, match=r"commit 0{39}1 is not in the repository"):
        resolve_commit(repo.url, "0" * 39 + "1", cache)


@pytest.mark.parametrize("path", ["../etc/passwd", "/", "", "a/../../b", ".git/config", "-x"])
def test_paths_outside_the_tree_are_refused(repo: GitRepo, tmp_path: Path, path: str) -> None:
    with pytest.raises(IntakeError, match="must be a file inside the repository"):
        read_file_at(repo.url, repo.head(), path, tmp_path / "cache")


@pytest.mark.parametrize("ref", ["-upload-pack=x", "a b", "main:other", "x^{tree}", ""])
def test_odd_refs_are_refused(repo: GitRepo, tmp_path: Path, ref: str) -> None:
    with pytest.raises(IntakeError, match="is not a git branch, tag, ref or commit"):
        resolve_commit(repo.url, ref, tmp_path / "cache")


@pytest.mark.parametrize(
    "url",
    [
        "ext::sh -c touch% /tmp/pwned",
        "ssh://git@host/repo.git",
        "git@host:repo.git",
        "fd::3",
        "--upload-pack=touch /tmp/x",
        "relative/path",
        "ftp://host/repo",
        "",
        "file:///tmp/x\n",
    ],
)
def test_urls_other_than_path_file_http_git_are_refused(url: str, tmp_path: Path) -> None:
    with pytest.raises(IntakeError, match="local path, file://, http"):
        resolve_commit(url, "main", tmp_path / "cache")
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


@pytest.mark.parametrize(
    "url", ["/srv/git/a.git", "file:///srv/a", "http://h/a.git", "https://h/a", "git://h/a"]
)
def test_allowed_urls(url: str) -> None:
    assert check_url(url) == url


def test_credentials_in_a_url_never_reach_a_message(tmp_path: Path) -> None:
    url = "http://bob:hunter2@127.0.0.1:9/repo.git"
    assert shown(url) == "http://***@127.0.0.1:9/repo.git"
    with pytest.raises(IntakeError) as caught:
        resolve_commit(url, "main", tmp_path / "cache", timeout=20)
    assert "hunter2" not in caught.value.render()
    assert "***@127.0.0.1:9" in caught.value.render()


def test_a_slow_git_is_killed_with_its_group(tmp_path: Path) -> None:
    marker = tmp_path / "survived"
    script = f"!sleep 2; touch {marker}"
    with pytest.raises(IntakeError, match=r"took longer than 0\.3 s and was stopped"):
        run_git(["-c", f"alias.slow={script}", "slow"], cwd=tmp_path, timeout=0.3, what="slow")
    time.sleep(3)  # the shell git started would have touched the marker by now
    assert not marker.exists()


def test_commit_info(repo: GitRepo, tmp_path: Path) -> None:
    sha = repo.commit({"x": "1\n"}, "subject line\n\nbody text")
    repo.push()
    info = commit_info(repo.url, sha, tmp_path / "cache")
    assert (info.author, info.author_name, info.author_email) == (
        "alice",
        "Alice Liddell",
        "alice@example.test",
    )
    assert info.message == "subject line\n\nbody text\n"
    assert info.timestamp == 1796032800


def test_cache_is_reused_without_network(repo: GitRepo, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    sha = repo.head()
    read_file_at(repo.url, sha, ".drone.yml", cache)
    git("update-ref", "-d", "refs/heads/main", cwd=repo.bare)  # the remote forgets the commit
    assert read_file_at(repo.url, sha, ".drone.yml", cache) == PIPELINE.encode()
