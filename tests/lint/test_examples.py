"""The examples lint clean; each broken example matches its golden diagnostics.

Regenerate the goldens with `CONVEYOR_UPDATE_GOLDENS=1 .venv/bin/pytest tests/lint/test_examples.py`
and review the diff before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conveyor.config.loader import load_bytes, load_file
from conveyor.lint import lint
from conveyor.lint.render import render_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CLEAN = sorted(EXAMPLES.glob("*.yml"))
BROKEN = sorted((EXAMPLES / "broken").glob("*.yml"))
UPDATE = os.environ.get("CONVEYOR_UPDATE_GOLDENS") == "1"


def test_there_are_enough_examples() -> None:
    assert len(CLEAN) >= 6
    assert len(BROKEN) >= 10


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.name)
def test_example_lints_clean(path: Path) -> None:
    result = load_file(path)
    assert result.file.pipelines, "an example must define a pipeline"
    assert lint(result, trusted=False) == []


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_broken_example_matches_golden(path: Path) -> None:
    name = f"examples/broken/{path.name}"
    result = load_bytes(path.read_bytes(), name)
    diagnostics = lint(result, trusted=False)
    assert diagnostics, "a broken example must produce diagnostics"
    rendered = render_text(diagnostics, result.source, color=False)
    golden = path.with_suffix(".expected.txt")
    if UPDATE:
        golden.write_text(rendered, encoding="utf-8")
    assert golden.is_file(), f"{golden.name} is missing: run with CONVEYOR_UPDATE_GOLDENS=1"
    assert rendered == golden.read_text(encoding="utf-8")


def test_trusted_example_is_clean_when_trusted() -> None:
    result = load_file(EXAMPLES / "broken" / "trusted.yml")
    assert lint(result, trusted=True) == []
