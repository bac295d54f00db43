"""Pure helpers of `conveyor exec`: durations, --include/--exclude, the git branch, signals."""

from __future__ import annotations

import argparse
import io
import os
import signal
import threading
from pathlib import Path

import pytest

from conveyor.cli.cmd_exec import CancelOnSignal
from conveyor.cli.exec_job import select_steps
from conveyor.cli.exec_settings import duration, positive
from conveyor.cli.local_git import git_branch, git_commit
from conveyor.errors import UsageError
from conveyor.images.policy import PullPolicy
from conveyor.plan.model import Plan, StepKind, StepPlan


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("90s", 90), ("10m", 600), ("1h30m", 5400), ("1.5h", 5400), ("0.5", 0.5)],
)
def test_durations(text: str, seconds: float) -> None:
    assert duration(text) == seconds


@pytest.mark.parametrize("text", ["", "abc", "10x", "0", "-5", "m"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        duration(text)


@pytest.mark.parametrize(("text", "ok"), [("1", True), ("8", True), ("0", False), ("x", False)])
def test_positive(text: str, ok: bool) -> None:
    if ok:
        assert positive(text) == int(text)
    else:
        with pytest.raises(argparse.ArgumentTypeError):
            positive(text)


def make_plan() -> Plan:
    def item(name: str, kind: StepKind = StepKind.STEP) -> StepPlan:
        return StepPlan(
            name=name, kind=kind, image="docker.io/ci-test/busybox:1", pull=PullPolicy.DEFAULT
        )

    return Plan(
        pipeline="p",
        steps=(item("db", StepKind.SERVICE), item("a"), item("b"), item("c")),
        workspace_path="/drone/src",
    )


@pytest.mark.parametrize(
    ("include", "exclude", "runs"),
    [
        ([], [], {"db", "a", "b", "c"}),
        (["a"], [], {"db", "a"}),
        ([], ["b"], {"db", "a", "c"}),
        (["a", "b"], ["b"], {"db", "a"}),
    ],
)
def test_select_steps(include: list[str], exclude: list[str], runs: set[str]) -> None:
    chosen = select_steps(make_plan(), include, exclude)
    assert {s.name for s in chosen.steps if s.skip_reason is None} == runs


def test_select_unknown_step_lists_the_steps() -> None:
    with pytest.raises(UsageError, match=r"'zz'.*steps: a, b, c"):
        select_steps(make_plan(), ["zz"], [])


def test_git_branch(tmp_path: Path) -> None:
    assert git_branch(tmp_path) is None
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/feature/x\n")
    assert git_branch(tmp_path) == "feature/x"
    (tmp_path / ".git" / "HEAD").write_text("0123456789abcdef\n")
    assert git_branch(tmp_path) is None


def test_signals_set_the_cancel_flag_and_are_restored() -> None:
    cancel = threading.Event()
    before = signal.getsignal(signal.SIGTERM)
    err = io.StringIO()
    with CancelOnSignal(cancel, err) as signals:
        os.kill(os.getpid(), signal.SIGTERM)
        assert cancel.wait(5)
    assert signals.caught == signal.SIGTERM
    assert "stopping the run" in err.getvalue()
    assert signal.getsignal(signal.SIGTERM) == before


def test_git_commit(tmp_path: Path) -> None:
    assert git_commit(tmp_path) is None
    git = tmp_path / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    sha = "a" * 40
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    assert git_commit(tmp_path) is None  # no such ref yet
    (git / "packed-refs").write_text(f"# pack-refs with: peeled\n{sha} refs/heads/main\n")
    assert git_commit(tmp_path) == sha
    (git / "refs" / "heads" / "main").write_text("b" * 40 + "\n")
    assert git_commit(tmp_path) == "b" * 40  # a loose ref wins over packed-refs
    (git / "HEAD").write_text("c" * 40 + "\n")
    assert git_commit(tmp_path) == "c" * 40  # detached HEAD
    (git / "HEAD").write_text("garbage\n")
    assert git_commit(tmp_path) is None


def test_git_commit_of_this_checkout() -> None:
    root = Path(__file__).resolve().parents[2]
    assert (root / ".git").is_dir(), "the tests run from a git checkout"
    found = git_commit(root)
    assert found is not None
    assert len(found) == 40
