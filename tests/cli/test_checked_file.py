"""The file checks that `exec` and `compile` share: `--strict`, other runners' pipelines."""

from __future__ import annotations

from pathlib import Path

import pytest

from conveyor.cli.main import main

CLEAN = "kind: pipeline\nname: here\nsteps:\n- name: a\n  image: alpine:3.19\n"
KUBE = "kind: pipeline\ntype: kubernetes\nname: kube\nsteps:\n- {name: a, image: x}\n"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".drone.yml"
    path.write_text(text)
    return path


def test_exec_of_a_file_without_docker_pipelines_exits_two(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, KUBE)
    assert main(["exec"]) == 2
    err = capsys.readouterr().err
    assert 'note[N001]: pipeline "kube" is for another runner (type: kubernetes)' in err
    assert 'holds no docker pipeline, only pipelines for other runners: "kube"' in err


def test_exec_naming_another_runners_pipeline_says_its_type(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, KUBE + "---\n" + CLEAN)
    assert main(["exec", "--pipeline", "kube"]) == 2
    assert 'pipeline "kube" is for another runner (type: kubernetes)' in capsys.readouterr().err


def test_exec_strict_refuses_a_file_with_warnings_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, CLEAN + "  pull: true\n")
    assert main(["exec", "--strict"]) == 2
    err = capsys.readouterr().err
    assert "error[W122]: `pull: true` is Drone 0.8 syntax" in err


def test_compile_reads_pull_true_as_the_default_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, CLEAN + "  pull: true\n")
    assert main(["compile", str(path)]) == 0
    captured = capsys.readouterr()
    assert '"pull": "default"' in captured.out
    assert "warning[W122]" in captured.err
