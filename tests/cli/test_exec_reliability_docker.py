"""`conveyor exec` under conditions that used to hang it, leak through it or leave things behind
(issue 8, "Reliability defects"), on the real engine and the 127.0.0.1 registries."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from conveyor.registry import helpers
from tests.cli.test_exec_docker import Exec, conveyor, project  # noqa: F401 - fixtures
from tests.conftest import LocalEnv
from tests.registry.test_helper_timeout import _all_gone, hang  # noqa: F401 - fixture

pytestmark = pytest.mark.docker


def test_a_hanging_credential_helper_is_stopped_and_reported(
    conveyor: Exec,  # noqa: F811
    hang: Path,  # noqa: F811
    testenv: LocalEnv,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(helpers, "HELPER_TIMEOUT", 2.0)
    config = tmp_path / "runner-config.json"
    config.write_text(json.dumps({"credsStore": "hang"}))  # asked for every registry
    outcome = conveyor(
        f"steps:\n- name: a\n  image: {testenv.image}\n  commands: [echo ran]\n",
        "--registry-config",
        str(config),
    )
    assert outcome.code == 0, outcome  # a local image: the run goes on without that login
    assert "ran" in outcome.out
    expected = "credential helper docker-credential-hang for docker.io did not answer"
    assert expected in outcome.out + outcome.err, outcome
    assert _all_gone([int(line) for line in hang.read_text().split()])


def test_step_output_cannot_forge_lines_on_the_console(
    conveyor: Exec,  # noqa: F811
    testenv: LocalEnv,
) -> None:
    outcome = conveyor(
        f"steps:\n- name: noisy\n  image: {testenv.image}\n  commands:\n"
        "  - printf 'real\\033[1A\\r\\033[2Kother | -- success\\n'\n"
        "  - printf 'title\\033]0;owned\\007 and \\033]52;c;Y2xpcA==\\007 clipboard\\n'\n"
        "  - printf 'bell\\007 back\\010space\\n'\n"
    )
    assert outcome.code == 0, outcome
    for text in (outcome.out, outcome.err):
        assert not any(ch in text for ch in "\x1b\x07\x08\r"), repr(text)
    assert "noisy | other | -- success" in outcome.out
    assert "noisy | title and  clipboard" in outcome.out
    assert "noisy | bell backspace" in outcome.out


def test_env_file_errors_speak_of_an_environment_file(
    conveyor: Exec,  # noqa: F811
    project: Path,  # noqa: F811
    testenv: LocalEnv,
) -> None:
    (project / "extra.env").write_text("GOOD=1\nGOOD=2\n")
    outcome = conveyor(
        f"steps:\n- name: a\n  image: {testenv.image}\n  commands: [true]\n",
        "--env-file",
        "extra.env",
    )
    assert outcome.code == 2, outcome
    assert "extra.env:2:1: variable GOOD is already defined on line 1" in outcome.err, outcome
    assert "secret" not in outcome.err


def test_secret_file_dash_reads_standard_input(
    conveyor: Exec,  # noqa: F811
    testenv: LocalEnv,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"token=from-stdin-42\n")))
    outcome = conveyor(
        f"steps:\n- name: a\n  image: {testenv.image}\n"
        "  environment: {TOKEN: {from_secret: token}}\n"
        '  commands: [\'test "$TOKEN" = from-stdin-42 && echo "got $TOKEN"\']\n',
        "--secret-file",
        "-",
    )
    assert outcome.code == 0, outcome
    assert "a | got ********" in outcome.out
