"""Read a pipeline file at a commit with the `git` program, through a cache of bare repositories.

Every call runs `git` without a shell, with a time limit (the whole process group is killed when
it runs out), no terminal prompt and no user or system git config. Only local paths, `file://`,
`http(s)://` and `git://` URLs are fetched (`protocol.allow=never` plus those); user info in a
URL never appears in an error. One lock file per cached repository serialises fetches.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import signal
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from conveyor.errors import ConveyorError
from conveyor.server.intake.loose import loose_file_at

SCHEMES = ("file", "http", "https", "git")
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}", re.ASCII)
_PROTOCOLS: tuple[str, ...] = (
    "-c",
    "protocol.allow=never",
    *(item for scheme in SCHEMES for item in ("-c", f"protocol.{scheme}.allow=always")),
)
_FETCH_DEPTH = 1
"""The file and the commit's own metadata are all the server needs."""


class IntakeError(ConveyorError):
    """git failed, timed out, or the file is missing: the message becomes the build's error."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CommitInfo:
    """What a build created without a webhook learns about its commit."""

    author: str
    author_name: str
    author_email: str
    message: str
    timestamp: int


def shown(url: str) -> str:
    """`url` with any user info replaced by `***`, for messages."""
    parts = urlsplit(url)
    if parts.scheme and "@" in parts.netloc:
        host = parts.netloc.rpartition("@")[2]
        return parts._replace(netloc=f"***@{host}").geturl()
    return url


def check_url(url: str) -> str:
    """`url` when it may be fetched; IntakeError naming what is allowed otherwise."""
    allowed = "use a local path, file://, http(s):// or git:// URL"
    if not url or url.startswith("-") or any(c in url for c in "\0\n\r"):
        raise IntakeError(f"the git URL {shown(url)!r} cannot be used; {allowed}")
    scheme = urlsplit(url).scheme.lower()
    if "::" in url.split("/", 1)[0]:
        raise IntakeError(f"the git URL {shown(url)!r} uses a remote helper; {allowed}")
    if scheme in SCHEMES and "://" in url:
        return url
    if not scheme and url.startswith("/") and ":" not in url.split("/", 2)[1]:
        return url
    raise IntakeError(f"the git URL {shown(url)!r} is not allowed; {allowed}")


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GIT_ASKPASS="/bin/false",
        SSH_ASKPASS="/bin/false",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        LC_ALL="C",
    )
    return env


def run_git(
    args: Sequence[str],
    *,
    cwd: Path,
    timeout: float,
    what: str,
    url: str = "",
    stdin: bytes | None = None,
) -> bytes:
    """`git ARGS` in `cwd` (fed `stdin`); its stdout, or IntakeError saying `what` failed."""
    command = ["git", *_PROTOCOLS, *args]
    try:
        proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=_environment(),
            stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except FileNotFoundError:
        raise IntakeError("the git program is not installed on the server; install git") from None
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise IntakeError(f"{what} took longer than {timeout:g} s and was stopped") from None
    if proc.returncode != 0:
        raise IntakeError(f"{what} failed: {_reason(err, url)}")
    return out


def _reason(stderr: bytes, url: str) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:"))] or lines or ["?"]
    reason = fatal[-1].removeprefix("fatal: ").removeprefix("error: ")
    if url:
        reason = reason.replace(url, shown(url))
    return reason[:300]


def cache_path(url: str, cache_dir: Path) -> Path:
    """The bare repository that caches `url` (named by a hash of the URL)."""
    return cache_dir / (hashlib.sha256(url.encode("utf-8")).hexdigest()[:32] + ".git")


@contextlib.contextmanager
def cached_repo(url: str, cache_dir: Path, timeout: float) -> Iterator[Path]:
    """The cache's bare repository for `url`, created on first use, locked while in use."""
    check_url(url)
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_path(url, cache_dir)
    with open(path.with_suffix(".lock"), "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (path / "HEAD").exists():
                path.mkdir(exist_ok=True)
                run_git(["init", "--quiet", "--bare"], cwd=path, timeout=timeout, what="git init")
            yield path
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _has_commit(repo: Path, sha: str, timeout: float) -> bool:
    try:
        run_git(["cat-file", "-e", f"{sha}^{{commit}}"], cwd=repo, timeout=timeout, what="git")
    except IntakeError:
        return False
    return True


def _fetch(repo: Path, url: str, refspecs: Sequence[str], timeout: float, depth: bool) -> None:
    args = ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--no-auto-maintenance"]
    if depth:
        args.append(f"--depth={_FETCH_DEPTH}")
    what = f"git fetch of {' '.join(refspecs)} from {shown(url)}"
    run_git([*args, "--", url, *refspecs], cwd=repo, timeout=timeout, what=what, url=url)
    if _maintenance_due(repo):
        run_git(["maintenance", "run", "--auto", "--quiet"], cwd=repo, timeout=timeout, what="git")


_LOOSE_IN_ONE_DIR = 27
"""git's `gc.auto` (6700 loose objects) over the 256 object directories, rounded up."""
_PACKS = 50
"""git's `gc.autoPackLimit`."""


def _maintenance_due(repo: Path) -> bool:
    """What `git maintenance run --auto` decides, without a process for the common "no": more
    loose objects than `gc.auto` (git too counts one directory, `17`, and scales) or more
    packs than `gc.autoPackLimit`. The fetch itself runs without automatic maintenance."""
    try:
        loose = sum(1 for name in os.listdir(repo / "objects" / "17") if len(name) in (38, 62))
        names = set(os.listdir(repo / "objects" / "pack"))
    except FileNotFoundError:
        return False
    packs = sum(1 for n in names if n.endswith(".pack") and n[:-5] + ".keep" not in names)
    return loose > _LOOSE_IN_ONE_DIR or packs > _PACKS


def resolve_commit(git_url: str, ref: str, cache_dir: Path, timeout: float = 60) -> str:
    """The full sha of `ref` (branch, tag, `refs/...` or sha) in the repository at `git_url`."""
    if not ref or ref.startswith("-") or any(c in ref for c in " ~^:?*[\\\0\n"):
        raise IntakeError(f"{ref!r} is not a git branch, tag, ref or commit")
    with cached_repo(git_url, cache_dir, timeout) as repo:
        if _SHA.fullmatch(ref):
            if not _has_commit(repo, ref, timeout):
                _fetch_sha(repo, git_url, ref, timeout)
            return ref
        local = "refs/conveyor/resolved"
        _fetch(repo, git_url, [f"+{ref}:{local}"], timeout, depth=True)
        out = run_git(
            ["rev-parse", "--verify", f"{local}^{{commit}}"],
            cwd=repo,
            timeout=timeout,
            what=f"git rev-parse {ref}",
        )
        return out.decode("ascii").strip()


def _fetch_sha(repo: Path, url: str, sha: str, timeout: float) -> None:
    """Fetch one commit; servers that refuse a fetch by sha get a full fetch of the branches."""
    try:
        _fetch(repo, url, [sha], timeout, depth=True)
    except IntakeError:
        _fetch(
            repo,
            url,
            ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"],
            timeout,
            depth=False,
        )
    else:
        return
    if not _has_commit(repo, sha, timeout):
        raise IntakeError(f"commit {sha} is not in the repository at {shown(url)}")


def _clean_path(path: str) -> str:
    parts = PurePosixPath(path.strip().lstrip("/")).parts
    bad = path.startswith("-") or any(ord(c) < 32 or c == "\x7f" for c in path)
    if bad or not parts or any(part in ("..", ".git") for part in parts):
        raise IntakeError(f"the pipeline file path {path!r} must be a file inside the repository")
    return "/".join(part for part in parts if part != ".")


def read_file_at(
    git_url: str, commit: str, path: str, cache_dir: Path, timeout: float = 60
) -> bytes:
    """The bytes of `path` at `commit` (a full sha); IntakeError when the file is not there.

    A commit that is not a loose object of the cache (a new push, usually) is fetched first,
    without asking git whether the cache has it: that saves a process per webhook. An older
    commit packed in the cache is then fetched again, harmlessly; if that fetch fails, the
    cache's copy is still read. The file is read from loose objects in Python when it can be
    (`loose.py`, another process saved), else one `git cat-file --batch` reads the commit and
    the file.
    """
    if not _SHA.fullmatch(commit):
        raise IntakeError(f"{commit!r} is not a full commit sha")
    name = _clean_path(path)
    with cached_repo(git_url, cache_dir, timeout) as repo:
        failed: IntakeError | None = None
        if not _is_loose(repo, commit):
            try:
                _fetch_sha(repo, git_url, commit, timeout)
            except IntakeError as exc:
                failed = exc
        text = loose_file_at(repo, commit, name)
        if text is not None:
            return text
        head, blob = read_objects(repo, [commit, f"{commit}:{name}"], timeout)
    if head is None and failed is not None:
        raise failed
    if head is None or head[0] != "commit":
        raise IntakeError(f"commit {commit} is not in the repository at {shown(git_url)}")
    if blob is None or blob[0] != "blob":
        where = "does not exist" if blob is None else f"is a {blob[0]}, not a file"
        raise IntakeError(f"{name} {where} at commit {commit[:12]}")
    return blob[1]


def _is_loose(repo: Path, sha: str) -> bool:
    """Whether object `sha` is stored loose (a small fetch leaves its objects loose)."""
    return (repo / "objects" / sha[:2] / sha[2:]).is_file()


def read_objects(
    repo: Path, specs: Sequence[str], timeout: float
) -> list[tuple[str, bytes] | None]:
    """(type, content) of each object named by `specs` (`sha`, `sha:path`); None when missing."""
    stdin = "".join(f"{spec}\n" for spec in specs).encode("utf-8")
    out = run_git(
        ["cat-file", "--batch"], cwd=repo, timeout=timeout, what="git cat-file", stdin=stdin
    )
    found: list[tuple[str, bytes] | None] = []
    for _spec in specs:
        header, _, out = out.partition(b"\n")
        fields = header.split(b" ")
        if len(fields) != 3 or not fields[2].isdigit():  # `SPEC missing` / `SPEC ambiguous`
            found.append(None)
            continue
        size = int(fields[2])
        found.append((fields[1].decode("ascii", "replace"), out[:size]))
        out = out[size + 1 :]
    return found


def commit_info(git_url: str, commit: str, cache_dir: Path, timeout: float = 60) -> CommitInfo:
    """Author, message and time of `commit` (a full sha)."""
    sha = resolve_commit(git_url, commit, cache_dir, timeout)
    with cached_repo(git_url, cache_dir, timeout) as repo:
        out = run_git(
            ["log", "-1", "--format=%an%x00%ae%x00%at%x00%B", sha, "--"],
            cwd=repo,
            timeout=timeout,
            what=f"git log {sha[:12]}",
        )
    name, email, stamp, message = out.decode("utf-8", "replace").split("\0", 3)
    return CommitInfo(
        author=email.partition("@")[0] or name,
        author_name=name,
        author_email=email,
        message=message.rstrip("\n") + "\n" if message.strip() else "",
        timestamp=int(stamp) if stamp.isdigit() else 0,
    )
