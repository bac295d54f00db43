"""A credential helper that hangs is stopped, with every process it started, and named in a
clear error; `conveyor image resolve` then ends with a warning instead of hanging."""

from __future__ import annotations

import contextlib
import io
import json
import os
import time
from pathlib import Path

import pytest

from conveyor.cli.main import main
from conveyor.errors import CredentialError
from conveyor.images.dockerconfig import HelperRule
from conveyor.registry import helpers
from conveyor.registry.helpers import helper_credential

HANG = """#!/bin/sh
# a child that keeps the output pipe open, then the helper itself hangs
sleep 300 &
echo $! > "{pids}"
echo $$ >> "{pids}"
exec sleep 300
"""
RULE = HelperRule(helper="hang", host=None, key="credsStore")


@pytest.fixture
def hang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `docker-credential-hang` first on PATH; returns the file where it writes its pids."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    pids = tmp_path / "hang.pids"
    program = bin_dir / "docker-credential-hang"
    program.write_text(HANG.format(pids=pids))
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return pids


def _gone(pid: int) -> bool:
    """True once `pid` no longer runs (a zombie awaiting its reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in {"Z", "X"}


def _all_gone(pids: list[int], attempts: int = 100) -> bool:
    for _ in range(attempts):
        if all(_gone(pid) for pid in pids):
            return True
        time.sleep(0.05)
    return False


def test_a_hanging_helper_is_stopped_with_its_children(hang: Path) -> None:
    with pytest.raises(CredentialError) as caught:
        helper_credential(RULE, "gcr.io", source="/etc/conveyor/config.json", timeout=2.0)
    message = caught.value.message
    assert message.startswith(
        "/etc/conveyor/config.json: credential helper docker-credential-hang for gcr.io "
        "did not answer within 2s and was stopped"
    )
    assert "echo gcr.io | docker-credential-hang get" in message
    pids = [int(line) for line in hang.read_text().split()]
    assert len(pids) == 2
    assert _all_gone(pids), f"helper processes left running: {pids}"


def test_image_resolve_ends_with_a_warning_naming_the_helper(
    hang: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(helpers, "HELPER_TIMEOUT", 2.0)
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"credsStore": "hang"}))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["image", "resolve", "gcr.io/team/app:1", "--registry-config", str(config)])
    assert code == 0, err.getvalue()
    assert "credential helper docker-credential-hang for gcr.io did not answer" in err.getvalue()
    assert "gcr.io/team/app:1" in out.getvalue()
    assert _all_gone([int(line) for line in hang.read_text().split()])
