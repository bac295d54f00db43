"""The entry point: no sub-command, a closed output pipe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conveyor.cli.main import main


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "conveyor exec" in capsys.readouterr().err


def test_a_reader_that_goes_away_gives_the_sigpipe_status(tmp_path: Path) -> None:
    pipeline = tmp_path / ".drone.yml"
    # 1200 keys: about 128 KB of warnings (lint stops listing at 1000), twice a pipe buffer
    keys = "".join(f"  unknown_key_{n}: 1\n" for n in range(1200))
    pipeline.write_text(f"kind: pipeline\nsteps:\n- name: a\n  image: alpine\n{keys}")
    process = subprocess.Popen(
        [sys.executable, "-m", "conveyor", "lint", str(pipeline)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()  # the output is larger than a pipe buffer: some write must fail
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["exec"],
        ["lint"],
        ["compile"],
        ["image", "resolve"],
        ["prune"],
        *(["repo", c] for c in ("add", "ls", "info", "update", "rm", "hook")),
        *(["secret", c] for c in ("add", "ls", "info", "update", "rm")),
        *(["build", c] for c in ("create", "ls", "info", "logs", "cancel", "restart")),
        ["build", "approve"],
        ["agent"],
        ["agent", "ls"],
        ["server"],
        *(["queue", c] for c in ("ls", "pause", "resume")),
    ],
    ids=lambda command: " ".join(["conveyor", *command]),
)
def test_every_command_help_has_examples_and_fits_80_columns(
    command: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README promises `--help` with examples for every command."""
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    shown = capsys.readouterr().out
    assert "\nexamples:\n" in shown
    assert [line for line in shown.splitlines() if len(line) > 80] == []


@pytest.mark.parametrize(
    ("command", "forms"),
    [
        (["server"], ["conveyor server [", "server migrate [", "server rotate-key --new-key"]),
        (["agent"], ["conveyor agent [", "conveyor agent ls"]),
    ],
)
def test_a_command_that_runs_without_a_sub_command_shows_each_form(
    command: list[str], forms: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`conveyor server` alone runs the server: its usage must not make an action look required."""
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    usage = capsys.readouterr().out.split("\n\n")[0]
    assert "..." not in usage
    assert [form in usage for form in forms] == [True] * len(forms), usage
