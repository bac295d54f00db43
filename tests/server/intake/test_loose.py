"""loose_file_at: a file at a commit read from loose objects agrees with `git cat-file`, and
answers None (ask git) for whatever it does not read itself; SHA-1 and SHA-256 repositories."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.server.intake.loose import loose_file_at
from tests.server.git_support import git

FILES = {
    ".drone.yml": "kind: pipeline\nname: a\n",
    "ci/deep/pipe line.yml": "kind: pipeline\nname: \u00e9t\u00e9\n",
    "tool": "#!/bin/sh\n",
}


def _repo(root: Path, object_format: str) -> tuple[Path, str]:
    """A non-bare repository with FILES (`tool` executable, `link` a symlink) in one commit."""
    work = root / object_format
    git("init", "-q", f"--object-format={object_format}", str(work), cwd=root)
    for name, text in FILES.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text, encoding="utf-8")
    (work / "tool").chmod(0o755)
    (work / "link").symlink_to("ci/deep/pipe line.yml")
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "files", cwd=work)
    return work / ".git", git("rev-parse", "HEAD", cwd=work).strip()


def _cat(repo: Path, spec: str) -> bytes:
    return git("cat-file", "blob", spec, cwd=repo).encode("utf-8")


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_loose_reads_agree_with_git(tmp_path: Path, object_format: str) -> None:
    repo, commit = _repo(tmp_path, object_format)
    for name in [*FILES, "link"]:
        assert loose_file_at(repo, commit, name) == _cat(repo, f"{commit}:{name}"), name


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_what_is_not_read_here_is_left_to_git(tmp_path: Path, object_format: str) -> None:
    repo, commit = _repo(tmp_path, object_format)
    for name in ("missing.yml", "ci", "ci/deep", ".drone.yml/x", "ci/nothing/x.yml"):
        assert loose_file_at(repo, commit, name) is None, name
    tree = git("rev-parse", "HEAD^{tree}", cwd=repo).strip()
    assert loose_file_at(repo, tree, ".drone.yml") is None  # not a commit
    assert loose_file_at(repo, "0" * len(commit), ".drone.yml") is None
    git("gc", "-q", "--prune=now", cwd=repo)  # every object packed
    assert loose_file_at(repo, commit, ".drone.yml") is None


def test_a_corrupt_loose_object_is_left_to_git(tmp_path: Path) -> None:
    repo, commit = _repo(tmp_path, "sha1")
    obj = repo / "objects" / commit[:2] / commit[2:]
    obj.chmod(0o644)
    obj.write_bytes(b"not zlib")
    assert loose_file_at(repo, commit, ".drone.yml") is None
