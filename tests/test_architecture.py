"""The rooms of `src/conveyor` import only downwards (docs/architecture.md), and pure modules
load no I/O library.

Each module's imports are read with `ast` (no import is executed), relative ones resolved, so
a forbidden arrow fails here even if it sits in a function body. Purity is checked by importing
each pure module alone in a fresh interpreter and looking at `sys.modules`.
"""

from __future__ import annotations

import ast
import subprocess
import sys
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
    "rules": {"spec", "images"},
    "lint": {"spec", "images", "config", "rules"},
    "compiler": {"spec", "plan", "images", "rules"},
    "registry": {"images"},
    "cache": {"images", "registry"},
    "engine": {"plan", "images"},
    "engine/docker": {"engine", "plan", "images"},
    "runner": {"plan", "engine", "images", "secrets", "registry"},
    "server": {"spec", "plan", "images", "config", "lint", "compiler", "rpc"},
    "cli": {
        "plan",
        "images",
        "secrets",
        "config",
        "lint",
        "compiler",
        "registry",
        "cache",
        "engine",
        "engine/docker",
        "runner",
        "server",
        "client",
        "agent",
    },
    "client": set(),
    "rpc": set(),
    "agent": {"rpc", "runner", "engine", "secrets"},
}
"""Room -> the rooms it may import: the arrows that exist, no more (docs/architecture.md)."""
SUB_ROOMS = {("engine", "docker")}
"""Packages inside a room that are rooms of their own, named `room/package`."""
DOCKER_SDK = ("engine/docker/",)
"""Only the Docker backend talks to Docker (credential helpers run without the SDK:
registry/helper_process.py)."""
IO_LIBRARIES = ("requests", "docker", "sqlite3", "subprocess")
PURE_ROOMS = {"spec", "plan", "images", "config", "rules", "lint", "compiler", "rpc"}
PURE_MODULES = (
    "secrets/model.py",
    "secrets/masking.py",
    "cache/decision.py",
    "runner/dag.py",
    "runner/job.py",
    "runner/job_codec.py",
    "engine/contract.py",
    "engine/fake.py",
    "registry/settings.py",
)
"""Besides the pure rooms: the pure cores, and the values an agent decodes without I/O."""


def _room_of(parts: tuple[str, ...]) -> str:
    """The room of a module given by its path parts below `conveyor` (sub-rooms `room/pkg`)."""
    room = parts[0].removesuffix(".py")
    if len(parts) > 1 and (room, parts[1].removesuffix(".py")) in SUB_ROOMS:
        return f"{room}/{parts[1].removesuffix('.py')}"
    return room


def _room(path: Path) -> str:
    return _room_of(path.relative_to(SRC).parts)


def _package(path: Path) -> str:
    """The dotted package that holds `path` (a package's `__init__` is its own package)."""
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1])


def _imports(path: Path, package: str = "") -> list[tuple[str, int]]:
    """Every module `path` imports, with its line; relative imports resolved in `package`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            base = parts[: len(parts) - node.level + 1]
            found.append((".".join([*base, *filter(None, [node.module])]), node.lineno))
    return found


def _target(name: str) -> str | None:
    """The room that an imported `conveyor....` name belongs to; None for other libraries."""
    parts = name.split(".")
    if parts[0] != "conveyor" or len(parts) == 1:
        return None
    return _room_of(tuple(parts[1:]))


MODULES = sorted(p for p in SRC.rglob("*.py") if _room(p) not in {"__init__", "__main__"})


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_down(path: Path) -> None:
    room = _room(path)
    assert room in ALLOWED, f"{room} is a new room: add it to ALLOWED and docs/architecture.md"
    allowed = ALLOWED[room] | BASE | {room}
    where = path.relative_to(SRC)
    for name, line in _imports(path, _package(path)):
        target = _target(name)
        if target is not None:
            assert target in allowed, f"{where}:{line}: {room} must not import {name}"
        if name.split(".")[0] == "docker":
            assert str(where).startswith(DOCKER_SDK), f"{where}:{line}: only engine/docker/"


def test_every_allowed_arrow_is_used() -> None:
    """The table is no more permissive than the code: each arrow is some module's import."""
    used: dict[str, set[str]] = {room: set() for room in ALLOWED}
    for path in MODULES:
        for name, _line in _imports(path, _package(path)):
            target = _target(name)
            if target is not None:
                used[_room(path)].add(target)
    unused = {room: sorted(ALLOWED[room] - used[room]) for room in ALLOWED}
    assert {room: arrows for room, arrows in unused.items() if arrows} == {}


PURE = sorted({p for p in MODULES if _room(p) in PURE_ROOMS} | {SRC / m for m in PURE_MODULES})


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(SRC)))
def test_pure_modules_load_no_io_library(path: Path) -> None:
    """Imported alone, in a fresh interpreter, a pure module loads no I/O library."""
    module = ".".join(path.relative_to(SRC.parent).with_suffix("").parts).removesuffix(".__init__")
    probe = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        f"print(' '.join(m for m in {IO_LIBRARIES!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [], f"{module} loads {done.stdout.strip()}"


PROBE_LEDGER = "import conveyor.cache.ledger, sys; print('sqlite3' in sys.modules)"


def test_the_purity_probe_sees_an_io_library() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import conveyor.cache.ledger, sys; print('sqlite3' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.strip() == "True"


def test_checker_sees_a_forbidden_arrow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from conveyor.engine.docker import backend\n")
    assert _imports(bad) == [("conveyor.engine.docker", 2)]
    assert _target("conveyor.engine.docker") == "engine/docker"
    assert _target("conveyor.engine.contract") == "engine"
    assert "engine/docker" not in ALLOWED["runner"]


def test_checker_resolves_relative_imports(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from ..engine.docker import pull\nfrom . import dag\nfrom .dag import Node\n")
    assert _imports(bad, "conveyor.runner") == [
        ("conveyor.engine.docker", 1),
        ("conveyor.runner", 2),
        ("conveyor.runner.dag", 3),
    ]
    assert _package(SRC / "runner" / "dag.py") == "conveyor.runner"
    assert _package(SRC / "engine" / "docker" / "__init__.py") == "conveyor.engine.docker"
