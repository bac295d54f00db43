"""Real git repositories for tests: a work tree pushing over file:// to a bare repository.

`GitRepo.commit` writes files and commits them with a fixed author; `push` sends a branch or a
tag to the bare repository, as a developer would. Serving over HTTP and the forge-like push hook
live in `git_http.py` and `git_hook.py`.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

AUTHOR = {
    "GIT_AUTHOR_NAME": "Alice Liddell",
    "GIT_AUTHOR_EMAIL": "alice@example.test",
    "GIT_COMMITTER_NAME": "Alice Liddell",
    "GIT_COMMITTER_EMAIL": "alice@example.test",
    "GIT_AUTHOR_DATE": "2026-11-30T10:00:00Z",
    "GIT_COMMITTER_DATE": "2026-11-30T10:00:00Z",
}


def git(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> str:
    """Run git (no user or system config) and return its stdout; fail the test on error."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    environ.update(AUTHOR, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, LC_ALL="C")
    environ.update(env or {})
    done = subprocess.run(
        ["git", *args],
        check=False,
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


@dataclass(frozen=True)
class GitRepo:
    """A work tree `work` whose `origin` is the bare repository `bare`."""

    work: Path
    bare: Path

    @property
    def url(self) -> str:
        """The bare repository as a file:// URL."""
        return self.bare.as_uri()

    def commit(self, files: Mapping[str, str | None], message: str = "change") -> str:
        """Write (or, for None, delete) `files`, commit them and return the new sha."""
        for name, text in files.items():
            path = self.work / name
            if text is None:
                git("rm", "-q", "--", name, cwd=self.work)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            git("add", "--", name, cwd=self.work)
        git("commit", "-q", "--allow-empty", "-m", message, cwd=self.work)
        return self.head()

    def head(self) -> str:
        """The sha of the work tree's HEAD."""
        return git("rev-parse", "HEAD", cwd=self.work).strip()

    def push(self, ref: str = "main", *, env: Mapping[str, str] | None = None) -> str:
        """`git push origin REF` (a branch or a tag); returns git's stderr (hook output)."""
        environ = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        environ.update(AUTHOR, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
        environ.update(env or {})
        done = subprocess.run(
            ["git", "push", "-q", "origin", ref],
            check=False,
            cwd=self.work,
            env=environ,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"git push {ref}: {done.stderr}"
        return done.stderr

    def tag(self, name: str) -> None:
        """An annotated tag at HEAD."""
        git("tag", "-a", "-m", f"release {name}", name, cwd=self.work)

    def branch(self, name: str) -> None:
        """Create and check out branch `name` at HEAD."""
        git("checkout", "-q", "-b", name, cwd=self.work)


def make_repo(root: Path, files: Mapping[str, str] | None = None, name: str = "repo") -> GitRepo:
    """A bare repository `root/NAME.git` and a work tree cloned from it, on branch main.

    With `files`, a first commit holding them is pushed to main.
    """
    root.mkdir(parents=True, exist_ok=True)
    bare = root / f"{name}.git"
    work = root / f"{name}-work"
    git("init", "-q", "--bare", "--initial-branch=main", str(bare), cwd=root)
    git("init", "-q", "--initial-branch=main", str(work), cwd=root)
    git("remote", "add", "origin", bare.as_uri(), cwd=work)
    repo = GitRepo(work=work, bare=bare)
    if files:
        repo.commit(files, "first commit")
        repo.push("main")
    return repo
