"""The README's promises, kept: the main job (`bash scripts/demo.sh`) and the usage example run.

These run the real commands on the real engine and registries, so a change that breaks the
demo or the README fails CI instead of the next newcomer.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import LocalEnv

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.docker


def test_the_main_job_runs_the_demo_and_refuses_the_borrower(
    testenv: LocalEnv, tmp_path: Path
) -> None:
    # A ledger of its own: never the user's ~/.local/state, never one another run left behind.
    done = subprocess.run(
        ["bash", "scripts/demo.sh"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_COLOR": "1", "CONVEYOR_STATE_DIR": str(tmp_path / "state")},
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert 'pipeline "demo" succeeded' in output
    assert "served by the web service" in output
    assert "the token is ********" in output
    assert "Cached image 127.0.0.1:5002/ci-test/remote-only:1 is private" in output
    assert "demo: build demo/app#1 succeeded on demo-agent" in output
    assert "hello from the demo repository\n+ cat /etc/ci-test-image\nremote-only\n" in output
    assert "(sign-in page answered 200;" in output
    assert "Traceback" not in output


def test_the_readme_example_runs(testenv: LocalEnv, tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pipeline = re.search(r"```yaml\n# \.drone\.yml\n(.*?)```", readme, re.S)
    assert pipeline is not None, "the README lost its example pipeline"
    (tmp_path / ".drone.yml").write_text(pipeline.group(1))
    secrets = tmp_path.parent / f"{tmp_path.name}.secrets"
    secrets.write_text(f"dockerconfig={testenv.docker_auth_config}\n")
    done = subprocess.run(
        [sys.executable, "-m", "conveyor", "exec", "--secret-file", str(secrets)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1", "CONVEYOR_STATE_DIR": str(tmp_path / "state")},
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "build | remote-only" in done.stdout


def test_the_readme_resolve_example_is_what_the_command_prints() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"\$ conveyor image resolve golang:1.12 --json\n(\{.*\})\n", readme)
    assert shown is not None, "the README lost its image resolve example"
    done = subprocess.run(
        [sys.executable, "-m", "conveyor", "image", "resolve", "golang:1.12", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(done.stdout) == json.loads(shown.group(1))
