"""Patterns that make a backtracking matcher hang a CPU compile at once (issue 8, HIGH)."""

from __future__ import annotations

import pytest

from conveyor.compiler.compile import compile_pipeline
from conveyor.compiler.context import BuildContext
from conveyor.config.loader import load_text
from conveyor.lint import lint

BRANCH = "a" * 200


def _compile(text: str) -> tuple[list[str], str | None, str]:
    result = load_text(text, "f.yml")
    codes = [d.code for d in lint(result, trusted=False)]
    plan = compile_pipeline(
        result.file.pipelines[0],
        BuildContext(branch=BRANCH, ref=f"refs/heads/{BRANCH}", commit="a" * 40),
    )
    return codes, plan.steps[0].skip_reason, plan.steps[0].environment.get("X", "")


@pytest.mark.timeout(30)
def test_a_hostile_when_branch_pattern_compiles() -> None:
    pattern = "*a" * 5000 + "*b"
    head = "kind: pipeline\nname: p\nsteps:\n- name: s\n  image: x\n"
    text = head + f"  when: {{branch: ['{pattern}']}}\n"
    codes, skip, _ = _compile(text)
    assert codes == []
    assert skip is not None
    assert skip.startswith(f'branch "{BRANCH}" is not in when.branch')


@pytest.mark.timeout(30)
def test_a_hostile_substitution_pattern_compiles() -> None:
    pattern = "*?" * 5000 + "*Z"
    text = (
        "kind: pipeline\nname: p\nsteps:\n- name: s\n  image: x\n"
        f"  environment: {{X: '${{DRONE_COMMIT_SHA##{pattern}}}'}}\n"
    )
    codes, _, value = _compile(text)
    assert codes == []
    assert value == "a" * 40  # nothing matched, nothing stripped
