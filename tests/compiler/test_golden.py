"""Golden files: `golden/NAME.yml` compiles to exactly `golden/NAME.plan.json`.

The build context is fixed (time, commit, build number) and a file may change it with
a first line `# conveyor-test-context: {json}`. Regenerate after a reviewed change with
`CONVEYOR_UPDATE_GOLDENS=1 .venv/bin/pytest tests/compiler/test_golden.py` and read the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from conveyor.compiler.compile import compile_pipeline, select_pipeline
from conveyor.compiler.context import BuildContext
from conveyor.config.loader import load_file
from conveyor.images.policy import PullPolicy
from conveyor.plan.codec import plan_from_json, plan_to_json
from conveyor.source import Severity

GOLDEN = Path(__file__).parent / "golden"
HEADER = "# conveyor-test-context:"
BASE: dict[str, Any] = {
    "repo": "octocat/hello-world",
    "commit": "deadbeef" * 5,
    "build_number": 17,
    "created": 1_700_000_000,
    "runner_name": "golden-runner",
}


def context_of(path: Path) -> tuple[BuildContext, str | None]:
    """The fixed context, changed by the file's header; and the pipeline to select."""
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    values = dict(BASE)
    if first.startswith(HEADER):
        values.update(json.loads(first.removeprefix(HEADER)))
    pipeline = values.pop("pipeline", None)
    if "runner_pull_default" in values:
        values["runner_pull_default"] = PullPolicy(values["runner_pull_default"])
    if "allowed_pull_policies" in values:
        allowed = values["allowed_pull_policies"]
        values["allowed_pull_policies"] = frozenset(PullPolicy(p) for p in allowed)
    return BuildContext(**values), pipeline


CASES = sorted(GOLDEN.glob("*.yml"))


def test_there_are_goldens() -> None:
    assert len(CASES) >= 5


@pytest.mark.parametrize("source", CASES, ids=lambda p: p.stem)
def test_golden(source: Path) -> None:
    result = load_file(source)
    errors = [d.headline() for d in result.diagnostics if d.severity == Severity.ERROR]
    assert not errors, errors
    ctx, name = context_of(source)
    plan = compile_pipeline(select_pipeline(result.file, name), ctx)
    text = plan_to_json(plan).replace(str(GOLDEN), "<golden>")
    expected = source.with_suffix(".plan.json")
    if os.environ.get("CONVEYOR_UPDATE_GOLDENS") == "1":
        expected.write_text(text, encoding="utf-8")
    assert expected.exists(), f"{expected.name} is missing: run with CONVEYOR_UPDATE_GOLDENS=1"
    assert text == expected.read_text(encoding="utf-8")
    assert plan_from_json(text) == plan
