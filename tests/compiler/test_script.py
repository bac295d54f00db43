"""`commands` -> the POSIX shell script, run here through the real /bin/sh."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conveyor.compiler.script import (
    COMMAND,
    ENTRYPOINT,
    SCRIPT_VARIABLE,
    build_script,
    shell_quote,
)


def run_script(commands: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the script the way the container does: entrypoint + command, script in env."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), SCRIPT_VARIABLE: build_script(commands)}
    return subprocess.run(
        [*ENTRYPOINT, *COMMAND],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("plain", "'plain'"),
        ("it's", "'it'\\''s'"),
        ("$(id) `id`", "'$(id) `id`'"),
        ("", "''"),
    ],
)
def test_shell_quote(text: str, quoted: str) -> None:
    assert shell_quote(text) == quoted


def test_script_shape() -> None:
    assert build_script(["go build"]) == (
        f"set -e\nunset {SCRIPT_VARIABLE}\nprintf '+ %s\\n' 'go build'\ngo build\n"
    )


def test_trace_lines_are_printed_and_never_run(tmp_path: Path) -> None:
    command = "true # `touch one` $(touch two) ${x:=three}"
    done = run_script([command, 'echo "it\'s done"'], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"+ {command}\n+ echo \"it's done\"\nit's done\n"
    assert not (tmp_path / "one").exists()
    assert not (tmp_path / "two").exists()


def test_set_e_stops_at_the_first_failure(tmp_path: Path) -> None:
    done = run_script(["echo first", "false", "echo never"], tmp_path)
    assert done.returncode == 1
    assert done.stdout == "+ echo first\nfirst\n+ false\n"


def test_exit_code_78_comes_through(tmp_path: Path) -> None:
    done = run_script(["exit 78", "echo never"], tmp_path)
    assert done.returncode == 78
    assert "never" not in done.stdout.replace("+ echo never", "")


def test_a_command_reading_stdin_does_not_swallow_the_script(tmp_path: Path) -> None:
    done = run_script(["cat > /dev/null", "read line || echo no input", "echo after"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("no input\n+ echo after\nafter\n")


def test_backslashes_reach_the_shell_unchanged(tmp_path: Path) -> None:
    done = run_script(["printf '%s\\n' 'tab\\there'"], tmp_path)
    assert done.stdout.splitlines()[-1] == "tab\\there"


def test_multiline_commands_and_heredocs(tmp_path: Path) -> None:
    done = run_script(["cat <<EOF\nhello\nEOF", "if true; then\n  echo yes\nfi"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "+ cat <<EOF",
        "hello",
        "EOF",
        "hello",
        "+ if true; then",
        "  echo yes",
        "fi",
        "yes",
    ]


def test_the_script_is_not_in_the_commands_environment(tmp_path: Path) -> None:
    done = run_script([f"echo ${{{SCRIPT_VARIABLE}:-unset}}"], tmp_path)
    assert done.stdout.splitlines()[-1] == "unset"
