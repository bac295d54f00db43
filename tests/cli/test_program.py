"""The `conveyor` program: main's exit code, then the process's objects left to the OS."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHILD = """
import gc, sys
from conveyor.cli import main as entry
entry.main = lambda: 7
code = entry.program()
print(code, gc.get_freeze_count() > 0)
"""


def test_program_returns_mains_code_and_freezes_the_heap_for_exit() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["7", "True"]


def test_python_dash_m_conveyor_runs_the_program(tmp_path: Path) -> None:
    (tmp_path / ".drone.yml").write_text("kind: pipeline\nname: x\nsteps:\n- name: a\n  image: b\n")
    done = subprocess.run(
        [sys.executable, "-m", "conveyor", "lint", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("[") or done.stdout.startswith("{")
