"""The rooms of `src/conveyor` import only downwards (docs/architecture.md).

Each module's imports are read with `ast` (no import is executed), so a forbidden
arrow fails here even if it sits in a function body.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "conveyor"

BASE = {"errors", "source", "__init__"}
ALLOWED: dict[str, set[str]] = {
    "errors": {"source"},
    "source": set(),
    "spec": set(),
    "images": set(),
    "secrets": set(),
    "plan": {"images"},
    "config": {"spec"},
    "lint": {"spec", "images", "config"},
    "compiler": {"spec", "plan", "images", "secrets"},
    "registry": {"images"},
    "cache": {"images", "registry"},
    "engine": {"plan", "images", "secrets", "registry"},
    "runner": {"plan", "engine", "images", "secrets", "registry", "cache"},
    "server": {"spec", "plan", "images", "secrets", "config", "lint", "compiler"},
    "cli": {
        "spec",
        "plan",
        "images",
        "secrets",
        "config",
        "lint",
        "compiler",
        "registry",
        "cache",
        "engine",
        "runner",
        "server",
        "client",
    },
    "client": set(),
}
DOCKER_SDK_ROOMS = {"engine", "registry"}
"""Only the engine talks to Docker (registry/ uses the SDK's credential-helper client only)."""


def _room(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


MODULES = sorted(p for p in SRC.rglob("*.py") if _room(p) not in {"__init__", "__main__"})


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_down(path: Path) -> None:
    room = _room(path)
    assert room in ALLOWED, f"{room} is a new room: add it to ALLOWED and docs/architecture.md"
    allowed = ALLOWED[room] | BASE | {room}
    where = path.relative_to(SRC)
    for name, line in _imports(path):
        parts = name.split(".")
        if parts[0] == "conveyor" and len(parts) > 1:
            assert parts[1] in allowed, f"{where}:{line}: {room} must not import {name}"
        if parts[0] == "docker":
            assert room in DOCKER_SDK_ROOMS, f"{where}:{line}: only engine/ uses docker"


def test_checker_sees_a_forbidden_arrow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from conveyor.engine import docker_backend\n")
    assert _imports(bad) == [("conveyor.engine", 2)]
    assert "engine" not in ALLOWED["compiler"]
