"""Helpers of the private-image-cache matrix (tests/cli/test_cache_matrix_docker.py).

A `Lab` is one private registry with its own project directory, logins and isolated ledger
(`CONVEYOR_STATE_DIR`); it runs the real `conveyor exec` in-process and counts the lines that
the registry's access logs gain. It never removes an image it did not create.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import quote

import docker

from conveyor.cli.main import main
from tests.conftest import LocalEnv

HEAD = "kind: pipeline\ntype: docker\nname: default\n"
STEP = "private"
PRIVATE_REPOSITORY = "ci-test/remote-only"
IMAGE_OUTPUT = "remote-only"
"""What `cat /etc/ci-test-image` prints in ci-test/remote-only (its trace line differs)."""


class Who(StrEnum):
    """The credential context of a pipeline."""

    TESTUSER = "testuser"  # may read every repository
    OTHERUSER = "otheruser"  # valid login, may read only other/*
    NOBODY = "nobody"  # no image_pull_secrets at all


class Policy(StrEnum):
    """A step's `pull:` (DEFAULT: no `pull:` key, which uses the cache for tag 1)."""

    DEFAULT = "default"
    IF_NOT_EXISTS = "if-not-exists"
    NEVER = "never"
    ALWAYS = "always"


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """What one `conveyor exec` returned and printed."""

    code: int
    out: str
    err: str

    def output_of(self, step: str = STEP) -> list[str]:
        """What a step's container printed: not Conveyor's `--` and pull lines, not the summary."""
        found: list[str] = []
        for line in self.out.splitlines():
            name, bar, text = line.partition(" | ")
            if name.strip() == "step" and text.startswith("status"):
                break  # the summary table
            if bar and name.strip() == step and not text.startswith(("-- ", "pulling ")):
                found.append(text)
        return found

    def started(self, step: str = STEP) -> bool:
        """Did a container of `step` start?"""
        return any(
            line.partition(" | ")[0].strip() == step and "| -- started" in line
            for line in self.out.splitlines()
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class LogMark:
    """Where each access log ended at some moment (byte offsets)."""

    offsets: Mapping[Path, int]


def pipeline(image: str, *, policy: Policy, login: bool, command: str = "") -> str:
    """One step `private` running `image` under `policy`; `login` adds image_pull_secrets."""
    pull = "" if policy is Policy.DEFAULT else f"  pull: {policy.value}\n"
    text = (
        f"steps:\n- name: {STEP}\n  image: {image}\n{pull}"
        f"  commands: [{command or 'cat /etc/ci-test-image'}]\n"
    )
    return text + ("image_pull_secrets: [dockerconfig]\n" if login else "")


def docker_config_secret(registry: str, user: str, password: str) -> str:
    """A secret file line holding a one-line config.json with one login."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return f"dockerconfig={json.dumps({'auths': {registry: {'auth': token}}})}\n"


@contextlib.contextmanager
def _environment(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, for None, remove) environment variables for the duration of the block."""
    saved = {name: os.environ.get(name) for name in values}
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class Lab:
    """One private registry, its logins, its project directory and its own ledger."""

    def __init__(
        self,
        env: LocalEnv,
        client: docker.DockerClient,
        registry: str,
        logs: tuple[Path, ...],
        root: Path,
    ) -> None:
        self.env = env
        self.client = client
        self.registry = registry
        self.logs = logs
        self.project = root / "project"
        self.secrets = root / "secrets"
        self.state_dir = root / "state"
        self.image = f"{registry}/{PRIVATE_REPOSITORY}:1"
        for directory in (self.project, self.secrets):
            directory.mkdir(parents=True)
        (self.project / "README").write_text("the workspace of the cache matrix\n")
        logins = {Who.TESTUSER: (env.user, env.password)}
        logins[Who.OTHERUSER] = (env.other_user, env.other_password)
        for who, (user, password) in logins.items():
            (self.secrets / f"{who}.env").write_text(docker_config_secret(registry, user, password))

    def exec(self, text: str, *args: str, who: Who = Who.NOBODY) -> Outcome:
        """`conveyor exec` of pipeline `text` with `who`'s login (none for NOBODY)."""
        (self.project / ".drone.yml").write_text(HEAD + text)
        if who is not Who.NOBODY:
            args = (*args, "--secret-file", str(self.secrets / f"{who}.env"))
        out, err = io.StringIO(), io.StringIO()
        variables: dict[str, str | None] = {
            "CONVEYOR_STATE_DIR": str(self.state_dir),
            "NO_COLOR": "1",
            "DRONE_REGISTRY_PLUGIN_ENDPOINT": None,  # no credentials but the pipeline's own
        }
        with (
            _environment(variables),
            contextlib.chdir(self.project),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            code = main(["exec", *args])
        return Outcome(code=code, out=out.getvalue(), err=err.getvalue())

    def use(self, policy: Policy, who: Who, *args: str, image: str = "") -> Outcome:
        """A second pipeline: run `image` (default: the private one) under `policy` as `who`."""
        text = pipeline(image or self.image, policy=policy, login=who is not Who.NOBODY)
        return self.exec(text, *args, who=who)

    def first_pull(self) -> Outcome:
        """The first pipeline: pull the private image with testuser's login (`pull: always`)."""
        return self.use(Policy.ALWAYS, Who.TESTUSER)

    def ensure_cached(self) -> None:
        """Pull the private image again (as the first pipeline) if another suite removed it."""
        try:
            self.client.images.get(self.image)
        except docker.errors.ImageNotFound:
            again = self.first_pull()
            assert again.code == 0, again

    def use_cached(self, policy: Policy, who: Who, *args: str, attempts: int = 3) -> Outcome:
        """`use` of the cached private image. Other suites may remove it meanwhile (Conveyor
        then pulls it, or finds it missing under `never`): put it back and run again. A
        Conveyor that pulled a cached image every time would still be caught: every attempt
        pulls, and the last outcome is returned."""
        outcome = None
        for _ in range(attempts):
            self.ensure_cached()
            outcome = self.use(policy, who, *args)
            signs = (f"pulling {self.image}", "not in the local cache")
            if not any(sign in outcome.out for sign in signs):
                break  # it stayed cached for the whole run
        assert outcome is not None
        return outcome

    def mark(self) -> LogMark:
        return LogMark(offsets={log: log.stat().st_size for log in self.logs})

    def new_lines(self, mark: LogMark, repository: str = PRIVATE_REPOSITORY) -> int:
        """Lines mentioning `repository` (plain or URL-encoded) written since `mark`."""
        needles = (repository, quote(repository, safe=""))
        count = 0
        for log, offset in mark.offsets.items():
            with log.open("rb") as handle:
                handle.seek(offset)
                text = handle.read().decode("utf-8", "replace")
            count += sum(any(n in line for n in needles) for line in text.splitlines())
        return count

    def settled_new_lines(self, mark: LogMark, repository: str = PRIVATE_REPOSITORY) -> int:
        """`new_lines` once the registries have logged everything they answered so far."""
        self.env.settle_logs()
        return self.new_lines(mark, repository)

    def awaited_new_lines(self, mark: LogMark, repository: str = PRIVATE_REPOSITORY) -> int:
        """`new_lines` once the registries have logged what they answered (positive controls)."""
        self.env.settle_logs()
        return self.new_lines(mark, repository)

    def ledger_rows(self) -> frozenset[tuple[object, ...]]:
        """Every row of the ledger's `pulls` and `verifications` tables, read-only."""
        path = self.state_dir / "image-ledger.sqlite3"
        if not path.exists():
            return frozenset()
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            pulls = db.execute("SELECT * FROM pulls").fetchall()
            checks = db.execute("SELECT * FROM verifications").fetchall()
        return frozenset([("pull", *row) for row in pulls] + [("check", *row) for row in checks])

    def quietest(self, run: Callable[[], Outcome], *, attempts: int = 5) -> tuple[Outcome, int]:
        """`run` and the log lines it added; run again (up to `attempts`) only while lines came
        but the run succeeded and left the ledger as it found it.

        Other suites may ask the same registry for the same shared repository at the same
        moment. A run that left the ledger unchanged would decide the same way again, so if
        Conveyor itself asks the registry every attempt adds lines and the caller still fails;
        a run that recorded something (a registry check) is never retried.
        """
        outcome, count = None, 0
        for _ in range(attempts):
            before, mark = self.ledger_rows(), self.mark()
            outcome = run()
            count = self.settled_new_lines(mark)
            if count == 0 or outcome.code != 0 or self.ledger_rows() != before:
                break
        assert outcome is not None
        return outcome, count
