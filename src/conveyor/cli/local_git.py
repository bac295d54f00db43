"""What `conveyor exec` learns from the git checkout it runs in: branch and commit.

Read straight from `.git` (HEAD, loose refs, packed-refs) so no git program is needed; any
problem means "unknown", never an error: a local run works outside a checkout too.
"""

from __future__ import annotations

import re
from pathlib import Path

_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}", re.ASCII)


def _head(directory: Path) -> str | None:
    try:
        return (directory / ".git" / "HEAD").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None


def git_branch(directory: Path) -> str | None:
    """The branch checked out in `directory` (from .git/HEAD), or None."""
    head = _head(directory)
    prefix = "ref: refs/heads/"
    return head[len(prefix) :] if head and head.startswith(prefix) else None


def git_commit(directory: Path) -> str | None:
    """The commit checked out in `directory` (detached HEAD, a loose ref or packed-refs)."""
    head = _head(directory)
    if head is None:
        return None
    if _SHA.fullmatch(head):
        return head
    if not head.startswith("ref: "):
        return None
    ref = head.removeprefix("ref: ")
    git = directory / ".git"
    try:
        loose = (git / ref).read_text(encoding="utf-8").strip()
        return loose if _SHA.fullmatch(loose) else None
    except (OSError, UnicodeDecodeError):
        pass
    try:
        packed = (git / "packed-refs").read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for line in packed:
        sha, _, name = line.partition(" ")
        if name == ref and _SHA.fullmatch(sha):
            return sha
    return None
