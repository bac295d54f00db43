"""The `clone` step: fetch the build's commit with git into a fresh directory, as Drone does.

`git init`, `git fetch --depth D` of the build's ref (then of the commit itself when the ref no
longer reaches it), `git checkout` of the commit. Each command and its output are handed to
`on_line` as log lines; a URL's user and password are never shown.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from conveyor.rpc.assignment import BuildRef, CloneOptions

GIT_TIMEOUT = 600.0
"""Seconds one git command may take."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckoutResult:
    """How the clone went: exit code of the failing git command (0 when all went well)."""

    exit_code: int
    error: str = ""

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
) -> CheckoutResult:
    """Fetch `build.commit` (or `build.ref`) of `url` into the empty directory `into`."""
    depth = [f"--depth={options.depth}"] if options.depth else []
    ref = build.ref or (f"refs/heads/{build.branch}" if build.branch else "")
    commands: list[Sequence[str]] = [
        ["init", "-q"],
        ["remote", "add", "origin", url],
        ["fetch", "--no-tags", *depth, "origin", f"+{ref}:" if ref else build.commit],
    ]
    for command in commands:
        result = _git(command, into, options, on_line)
        if not result.ok:
            return result
    target = build.commit or "FETCH_HEAD"
    if build.commit and not _has_commit(into, build.commit):
        result = _git(
            ["fetch", "--no-tags", *depth, "origin", build.commit], into, options, on_line
        )
        if not result.ok:
            return result
    return _git(["checkout", "-qf", target], into, options, on_line)


def _git(
    arguments: Sequence[str], where: Path, options: CloneOptions, on_line: Callable[[str], None]
) -> CheckoutResult:
    """Run one git command, its output line by line to `on_line`."""
    settings = ["-c", "http.sslVerify=false"] if options.skip_verify else []
    on_line("+ git " + " ".join(hide_password(word) for word in arguments))
    environment = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        with subprocess.Popen(
            ["git", *settings, *arguments],
            cwd=where,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=environment,
            text=True,
            errors="replace",
        ) as process:
            assert process.stdout is not None
            for line in process.stdout:
                on_line(hide_password(line.rstrip("\n")))
            code = process.wait(timeout=GIT_TIMEOUT)
    except FileNotFoundError:
        return CheckoutResult(exit_code=127, error="git is not installed on this agent")
    except subprocess.TimeoutExpired:
        return CheckoutResult(exit_code=124, error=f"git {arguments[0]} took too long")
    if code != 0:
        return CheckoutResult(exit_code=code, error=f"git {arguments[0]} failed (exit code {code})")
    return CheckoutResult(exit_code=0)


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
