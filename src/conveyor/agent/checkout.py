"""The `clone` step: fetch the build's commit with git into a fresh directory, as Drone does.

`git init`, `git fetch --depth D` of the build's ref (then of the commit itself when the ref no
longer reaches it), `git checkout` of the commit. Each command and its output are handed to
`on_line` as log lines; a URL's user and password are never shown.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from conveyor.rpc.assignment import BuildRef, CloneOptions

GIT_TIMEOUT = 600.0
"""Seconds one git command may take."""
WATCH = 0.05
"""How often a running git's watcher looks at the cancel flag (seconds)."""
KILLED = 137
"""The exit code shown for a git killed by a cancel (128 + SIGKILL, as for a container)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckoutResult:
    """How the clone went: exit code of the failing git command (0 when all went well)."""

    exit_code: int
    error: str = ""
    cancelled: bool = False
    """The run was cancelled while (or before) git ran: git was killed."""

    @property
    def ok(self) -> bool:
        """Whether the commit is checked out."""
        return self.exit_code == 0


def checkout(
    url: str,
    build: BuildRef,
    options: CloneOptions,
    into: Path,
    on_line: Callable[[str], None],
    *,
    cancel: threading.Event | None = None,
) -> CheckoutResult:
    """Fetch `build.commit` (or `build.ref`) of `url` into the empty directory `into`; a set
    `cancel` kills the git that runs and ends the checkout."""
    run = _Runner(where=into, options=options, on_line=on_line, cancel=cancel or threading.Event())
    depth = [f"--depth={options.depth}"] if options.depth else []
    ref = build.ref or (f"refs/heads/{build.branch}" if build.branch else "")
    commands: list[Sequence[str]] = [
        ["init", "-q"],
        ["remote", "add", "origin", url],
        ["fetch", "--no-tags", *depth, "origin", f"+{ref}:" if ref else build.commit],
    ]
    for command in commands:
        result = run.git(command)
        if not result.ok:
            return result
    target = build.commit or "FETCH_HEAD"
    if build.commit and not _has_commit(into, build.commit):
        result = run.git(["fetch", "--no-tags", *depth, "origin", build.commit])
        if not result.ok:
            return result
    return run.git(["checkout", "-qf", target])


@dataclass(frozen=True, slots=True, kw_only=True)
class _Runner:
    """Runs git commands in `where`, their output line by line to `on_line`."""

    where: Path
    options: CloneOptions
    on_line: Callable[[str], None]
    cancel: threading.Event

    def git(self, arguments: Sequence[str]) -> CheckoutResult:
        """Run one git command (not at all once cancelled)."""
        if self.cancel.is_set():
            return _cancelled()
        settings = ["-c", "http.sslVerify=false"] if self.options.skip_verify else []
        self.on_line("+ git " + " ".join(hide_password(word) for word in arguments))
        environment = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
        try:
            with subprocess.Popen(
                ["git", *settings, *arguments],
                cwd=self.where,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=environment,
                text=True,
                errors="replace",
                start_new_session=True,
            ) as process:
                why = _watch(process, self.cancel)
                assert process.stdout is not None
                for line in process.stdout:
                    self.on_line(hide_password(line.rstrip("\n")))
                code = process.wait()
        except FileNotFoundError:
            return CheckoutResult(exit_code=127, error="git is not installed on this agent")
        if why == ["cancelled"]:
            return _cancelled()
        if why == ["timeout"]:
            return CheckoutResult(exit_code=124, error=f"git {arguments[0]} took too long")
        if code != 0:
            error = f"git {arguments[0]} failed (exit code {code})"
            return CheckoutResult(exit_code=code, error=error)
        return CheckoutResult(exit_code=0)


def _cancelled() -> CheckoutResult:
    return CheckoutResult(exit_code=KILLED, error="the clone was cancelled", cancelled=True)


def _watch(process: subprocess.Popen[str], cancel: threading.Event) -> list[str]:
    """Start a thread that kills `process`'s group on `cancel` or after GIT_TIMEOUT; the list
    it returns then holds why ("cancelled" or "timeout")."""
    why: list[str] = []
    deadline = time.monotonic() + GIT_TIMEOUT

    def guard() -> None:
        while process.poll() is None:
            if cancel.wait(WATCH) or time.monotonic() > deadline:
                why.append("cancelled" if cancel.is_set() else "timeout")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                return

    threading.Thread(target=guard, name=f"git-{process.pid}", daemon=True).start()
    return why


def _has_commit(where: Path, commit: str) -> bool:
    done = subprocess.run(
        ["git", "cat-file", "-e", f"{commit}^{{commit}}"],
        cwd=where,
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def hide_password(text: str) -> str:
    """`text` with the user and password of a URL in it replaced by `***`."""
    if "://" not in text or "@" not in text:
        return text
    return " ".join(_hide_in_word(word) for word in text.split(" "))


def _hide_in_word(word: str) -> str:
    parts = urlsplit(word) if "://" in word else None
    if parts is None or "@" not in parts.netloc:
        return word
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"***@{host}"))
