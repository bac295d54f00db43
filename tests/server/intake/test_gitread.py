"""Reading the pipeline file at a commit from real git repositories, through the bare cache."""

from __future__ import annotations

import hashlib
import itertools
import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conveyor.server.intake import IntakeError, commit_info, read_file_at, resolve_commit
from conveyor.server.intake.gitread import cache_path, check_url, run_git, shown
from tests.server.git_support import GitRepo, environment, git, make_repo

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


@pytest.mark.parametrize(
    "path", ["../etc/passwd", "/", "", "a/../../b", ".git/config", "-x", "a\nb", "a\x00"]
)
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


def test_a_file_named_with_spaces_and_a_second_read_from_the_cache(
    repo: GitRepo, tmp_path: Path
) -> None:
    sha = repo.commit({"ci dir/my pipeline.yml": "a: 1\n"})
    repo.push()
    cache = tmp_path / "cache"
    assert read_file_at(repo.url, sha, "ci dir/my pipeline.yml", cache) == b"a: 1\n"
    assert read_file_at(repo.url, sha, ".drone.yml", cache) == PIPELINE.encode()


def test_a_sha_that_is_not_a_commit(repo: GitRepo, tmp_path: Path) -> None:
    tree = git("rev-parse", "HEAD^{tree}", cwd=repo.work).strip()
    with pytest.raises(IntakeError, match=r"is not in the repository"):
        read_file_at(repo.url, tree, ".drone.yml", tmp_path / "cache")


def test_cache_is_reused_without_network(repo: GitRepo, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    sha = repo.head()
    read_file_at(repo.url, sha, ".drone.yml", cache)
    git("update-ref", "-d", "refs/heads/main", cwd=repo.bare)  # the remote forgets the commit
    assert read_file_at(repo.url, sha, ".drone.yml", cache) == PIPELINE.encode()


def _log_git_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put a `git` first on PATH that notes its first git command, then runs the real git;
    returns the log (git's own children run from its exec path and are not noted)."""
    real = shutil.which("git")
    assert real is not None
    bin_dir, log = tmp_path / "bin", tmp_path / "git-calls.log"
    bin_dir.mkdir()
    wrapper = bin_dir / "git"
    wrapper.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do case "$a" in -c|protocol.*) ;; *) '
        f'echo "$a" >> {shlex.quote(str(log))}; break;; esac; done\n'
        f'exec {shlex.quote(real)} "$@"\n'
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


def test_a_pushed_commit_costs_one_git_process(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    read_file_at(repo.url, repo.head(), ".drone.yml", cache)
    second = repo.commit({"counter.txt": "1\n"})
    repo.push()
    log = _log_git_calls(tmp_path, monkeypatch)
    assert read_file_at(repo.url, second, ".drone.yml", cache) == PIPELINE.encode()
    # the fetch; no `git maintenance` (not due), no `git cat-file` (read from loose objects)
    assert log.read_text().split() == ["fetch"]


def test_a_packed_commit_is_read_by_git(repo: GitRepo, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    sha = repo.head()
    read_file_at(repo.url, sha, ".drone.yml", cache)
    git("gc", "-q", "--prune=now", cwd=cache_path(repo.url, cache))
    git("update-ref", "-d", "refs/heads/main", cwd=repo.bare)  # no fetch brings it back loose
    assert read_file_at(repo.url, sha, ".drone.yml", cache) == PIPELINE.encode()


def test_maintenance_runs_when_git_would_run_it(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    read_file_at(repo.url, repo.head(), ".drone.yml", cache)
    blobs = (f"blob {n}\n" for n in itertools.count())
    in_17 = list(itertools.islice((b for b in blobs if _blob_sha(b).startswith("17")), 28))
    subprocess.run(  # 28 loose objects in objects/17: about 7168 in all, over gc.auto's 6700
        ["git", "hash-object", "-w", "--stdin-paths"],
        input=_files(tmp_path, in_17),
        text=True,
        cwd=cache_path(repo.url, cache),
        env=environment(),
        check=True,
        capture_output=True,
    )
    second = repo.commit({"counter.txt": "1\n"})
    repo.push()
    log = _log_git_calls(tmp_path, monkeypatch)
    assert read_file_at(repo.url, second, ".drone.yml", cache) == PIPELINE.encode()
    assert log.read_text().split() == ["fetch", "maintenance"]


def _blob_sha(text: str) -> str:
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _files(root: Path, texts: list[str]) -> str:
    """The texts written to files; their paths, one a line (for `--stdin-paths`)."""
    paths = []
    for n, text in enumerate(texts):
        path = root / f"blob-{n}"
        path.write_text(text)
        paths.append(str(path))
    return "".join(f"{p}\n" for p in paths)
