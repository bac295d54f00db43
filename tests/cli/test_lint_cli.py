"""`conveyor lint`: exit codes, text and JSON output, default file, usage errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conveyor.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
CLEAN = "kind: pipeline\nname: p\nsteps:\n- name: a\n  image: alpine:3.19\n"
WARNING = CLEAN + "  comands: [x]\n"
BROKEN = CLEAN + "  privileged: true\n- name: a\n  image: Bad\n"


def _write(tmp_path: Path, text: str, name: str = "pipeline.yml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_clean_file_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(_write(tmp_path, CLEAN))]) == 0
    assert capsys.readouterr().out == "0 errors, 0 warnings\n"


def test_warnings_alone_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, WARNING)
    assert main(["lint", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{path}:6:3: warning[W001]: unknown key 'comands'" in out
    assert out.endswith("0 errors, 1 warning\n")


def test_errors_exit_one_with_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, BROKEN)
    assert main(["lint", str(path)]) == 1
    out = capsys.readouterr().out
    assert "error[E130]" in out
    assert "error[E101]" in out
    assert "error[E121]" in out
    assert "   |          ^" in out
    assert "\x1b[" not in out  # not a terminal: no colour
    assert out.endswith("3 errors, 0 warnings\n")


def test_trusted_flag_allows_trusted_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, CLEAN + "  privileged: true\n")
    assert main(["lint", str(path)]) == 1
    assert main(["lint", "--trusted", str(path)]) == 0
    capsys.readouterr()


def test_json_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, BROKEN)
    assert main(["lint", "--format", "json", str(path)]) == 1
    records = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in records] == ["E130", "E101", "E121"]
    assert records[0] == {
        "severity": "error",
        "code": "E130",
        "message": records[0]["message"],
        "file": str(path),
        "line": 6,
        "column": 15,
        "path": "steps[0].privileged",
    }
    assert records[2]["path"] == "steps[1].image"


def test_json_of_a_clean_file_is_an_empty_array(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", "--format", "json", str(_write(tmp_path, CLEAN))]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_default_file_is_drone_yml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["lint"]) == 2
    assert ".drone.yml does not exist" in capsys.readouterr().err
    _write(tmp_path, CLEAN, ".drone.yml")
    assert main(["lint"]) == 0


def test_unreadable_file_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("conveyor: error: ")
    assert "directory" in err


@pytest.mark.parametrize(
    "argv", [["lint", "--format", "xml"], ["lint", "--bogus"], ["lint", "a", "b"]]
)
def test_usage_errors_exit_two(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_bad_bytes_are_a_diagnostic_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "latin1.yml"
    path.write_bytes(b"kind: pipeline\nname: caf\xe9\n")
    assert main(["lint", str(path)]) == 1
    assert f"{path}:2:10: error[E002]" in capsys.readouterr().out


def test_subprocess_has_no_traceback(tmp_path: Path) -> None:
    bomb = ROOT / "examples" / "broken" / "bomb.yml"
    done = subprocess.run(
        [sys.executable, "-m", "conveyor", "lint", str(bomb)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "error[E006]" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "conveyor", "lint", str(tmp_path / "nope.yml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
    assert "does not exist" in missing.stderr


def test_strict_makes_warnings_fail_but_not_notes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, WARNING)
    assert main(["lint", "--strict", str(path)]) == 1
    assert "error[W001]: unknown key 'comands'" in capsys.readouterr().out
    other = "kind: pipeline\ntype: exec\nname: host\nsteps:\n- {name: a, commands: [x]}\n---\n"
    path = _write(tmp_path, other + CLEAN)
    assert main(["lint", "--strict", str(path)]) == 0
    out = capsys.readouterr().out
    assert 'note[N001]: pipeline "host" is for another runner (type: exec)' in out
    assert out.endswith("0 errors, 0 warnings, 1 note\n")


def test_compile_of_a_file_without_docker_pipelines_exits_two(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "kind: pipeline\ntype: kubernetes\nname: k\nsteps:\n- {name: a}\n")
    assert main(["compile", str(path)]) == 2
    err = capsys.readouterr().err
    assert 'holds no docker pipeline, only pipelines for other runners: "k" (kubernetes)' in err


@pytest.mark.timeout(30)
def test_lint_of_a_fifo_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "pipe.yml"
    os.mkfifo(fifo)
    assert main(["lint", str(fifo)]) == 2
    assert "is not a regular file" in capsys.readouterr().err
