"""Read a file at a commit from a repository's loose objects, in Python, without running git.

After a webhook's fetch the new commit is a loose object of the cache, and so are its trees
and, usually, the pipeline file (git keeps small fetches loose until its maintenance packs
them). Reading them here saves a `git cat-file` process per webhook: on a loaded machine each
process waits for a core. A loose object is a zlib stream of `TYPE SIZE\\0CONTENT`; a tree is
a sequence of `MODE NAME\\0HASH` entries (the hash as raw bytes).

This reader answers only when it finds the file as a blob through loose objects alone, which
is then the blob `git cat-file` would give; for anything else (an object packed or missing, a
name not found, a submodule, anything unexpected) it answers None and the caller asks git, so
that every error stays git's.
"""

from __future__ import annotations

import zlib
from pathlib import Path

_TREE_MODE = b"40000"


def loose_file_at(repo: Path, commit: str, path: str) -> bytes | None:
    """The blob at `path` (clean, `/`-separated) in `commit` (full hex sha), or None when git
    must answer."""
    raw = _loose(repo, commit, "commit")
    if raw is None or not raw.startswith(b"tree "):
        return None
    sha = raw[5 : raw.find(b"\n")].decode("ascii", "replace")
    if len(sha) != len(commit):
        return None
    width = len(commit) // 2
    parts = path.encode("utf-8").split(b"/")
    for depth, name in enumerate(parts):
        tree = _loose(repo, sha, "tree")
        if tree is None:
            return None
        entry = _entry(tree, name, width)
        if entry is None:
            return None
        mode, sha = entry
        last = depth == len(parts) - 1
        if (mode == _TREE_MODE) == last:  # a directory named as the file, or a file as a dir
            return None
    return _loose(repo, sha, "blob")


def _loose(repo: Path, sha: str, kind: str) -> bytes | None:
    """The content of loose object `sha` when it is a `kind`; None otherwise."""
    try:
        data = zlib.decompress((repo / "objects" / sha[:2] / sha[2:]).read_bytes())
    except (OSError, zlib.error):
        return None
    header, sep, content = data.partition(b"\0")
    want = f"{kind} {len(content)}".encode("ascii")
    return content if sep and header == want else None


def _entry(tree: bytes, name: bytes, width: int) -> tuple[bytes, str] | None:
    """(mode, hex sha) of `name` in `tree`; None when absent or the tree looks malformed."""
    at = 0
    while at < len(tree):
        space = tree.find(b" ", at)
        nul = tree.find(b"\0", space + 1)
        if space < 0 or nul < 0 or nul + 1 + width > len(tree):
            return None
        if tree[space + 1 : nul] == name:
            return tree[at:space], tree[nul + 1 : nul + 1 + width].hex()
        at = nul + 1 + width
    return None
