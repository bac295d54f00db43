"""The workspace copy: everything of the directory, except the secret files it was told of."""

from __future__ import annotations

import tarfile
from pathlib import Path

from conveyor.engine.docker.workspace_archive import archive_directory


def _names(source: Path, prefix: str = "", exclude: tuple[Path, ...] = ()) -> set[str]:
    with (
        archive_directory(source, prefix, exclude) as spool,
        tarfile.open(fileobj=spool) as tar,
    ):
        return set(tar.getnames())


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.go").write_text("package main\n")
    (tmp_path / ".secrets").write_text("TOKEN=abc\n")
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "registry.json").write_text("{}")
    return tmp_path


def test_everything_is_copied_by_default(tmp_path: Path) -> None:
    assert _names(_tree(tmp_path)) == {
        "src",
        "src/main.go",
        ".secrets",
        "conf",
        "conf/registry.json",
    }


def test_secret_files_inside_the_directory_are_left_out(tmp_path: Path) -> None:
    source = _tree(tmp_path)
    outside = tmp_path.parent / "elsewhere.env"
    exclude = (source / ".secrets", source / "conf" / "registry.json", outside)
    assert _names(source, exclude=exclude) == {"src", "src/main.go", "conf"}


def test_left_out_under_a_prefix(tmp_path: Path) -> None:
    source = _tree(tmp_path)
    names = _names(source, "src/app", (source / ".secrets",))
    assert "src/app/.secrets" not in names
    assert "src/app/src/main.go" in names
