"""`conveyor compile`: the plan as JSON on stdout; diagnostics on stderr and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conveyor.cli.main import main

GOOD = """\
kind: pipeline
type: docker
name: first
steps:
- name: build
  image: golang:1.12
  commands: [go build]
  environment:
    TOKEN:
      from_secret: token
---
kind: pipeline
type: docker
name: second
steps:
- name: deploy
  image: alpine
  privileged: true
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".drone.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_prints_the_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, GOOD.split("---", maxsplit=1)[0])
    code = main(["compile", str(path), "--event", "tag", "--branch", "dev"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    plan = json.loads(out)
    step = plan["steps"][0]
    assert plan["pipeline"] == "first"
    assert step["image"] == "docker.io/library/golang:1.12"
    assert step["secrets"] == {"TOKEN": "token"}
    assert step["environment"]["DRONE_BUILD_EVENT"] == "tag"
    assert step["environment"]["DRONE_COMMIT_REF"] == "refs/heads/dev"


def test_trusted_and_pipeline_selection(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, GOOD)
    code = main(["compile", str(path), "--pipeline", "second", "--trusted", "--ref", "refs/x"])
    out, _err = capsys.readouterr()
    assert code == 0
    plan = json.loads(out)
    assert (plan["pipeline"], plan["trusted"]) == ("second", True)
    assert plan["steps"][0]["privileged"] is True


def test_errors_are_printed_like_lint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, GOOD)  # `privileged` without --trusted
    code = main(["compile", str(path), "--pipeline", "second"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert f"{path}:18:15: error[" in err
    assert "privileged" in err


def test_unknown_pipeline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, GOOD.split("---", maxsplit=1)[0])
    code = main(["compile", str(path), "--pipeline", "nope"])
    _out, err = capsys.readouterr()
    assert code == 2
    assert 'no pipeline named "nope"; choose one of: "first"' in err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["compile", str(tmp_path / "absent.yml")])
    _out, err = capsys.readouterr()
    assert code == 2
    assert "absent.yml does not exist" in err
    assert "Traceback" not in err
