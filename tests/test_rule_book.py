"""One rule book: every pipeline that lint accepts compiles (Hypothesis-generated pipelines).

Pipelines are drawn from a small vocabulary with right and wrong values mixed (unknown
dependencies, services, "clone", cycles, odd `failure:`/`pull:` words, volumes, workspaces,
`${...}` expressions, environment names) so that lint and the compiler disagree if either
carries a rule the other lacks.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from conveyor.compiler.compile import compile_pipeline
from conveyor.compiler.context import BuildContext
from conveyor.config.loader import load_text
from conveyor.lint import lint
from conveyor.source import Severity


def mostly(valid: list[Any], wrong: list[Any]) -> st.SearchStrategy[Any]:
    """A valid value four times in five, else a wrong one."""
    return st.sampled_from(valid * (4 * len(wrong)) + wrong)


NAMES = ["s0", "s1", "s2", "db0", "db1", "clone"]
WORDS = mostly(
    ["echo hi", "${DRONE_BRANCH}", "${DRONE_BRANCH##*/}", "$${HOME}", "${X/a/b}"], ["${", "a\x00b"]
)
VOLUMES = mostly(["cache"], ["workspace", "other"])


@st.composite
def steps(draw: st.DrawFn, name: str) -> dict[str, Any]:
    step: dict[str, Any] = {
        "name": name,
        "image": draw(mostly(["alpine:3.19", "golang", "app:${DRONE_TAG}"], ["Bad", "a:${"])),
        "commands": draw(st.lists(WORDS, max_size=2)),
    }
    if not name.startswith("db") and draw(st.booleans()):
        step["depends_on"] = draw(st.lists(mostly(NAMES, ["x", name]), max_size=2))
    if draw(st.booleans()):
        step["failure"] = draw(mostly(["ignore", "Fast", "always", ""], ["never"]))
    if draw(st.booleans()):
        step["pull"] = draw(mostly(["always", "NEVER", "true", "false"], ["sometimes"]))
    if draw(st.booleans()):
        step["volumes"] = [{"name": draw(VOLUMES), "path": draw(mostly(["/c"], ["c"]))}]
    if draw(st.booleans()):
        key = draw(mostly(["GOOS", "_X"], ["A=B", "1A"]))
        step["environment"] = {key: draw(WORDS)}
    if draw(st.booleans()):
        secret = {"from_secret": "token"}
        step["settings"] = {"token": draw(mostly([secret, "plain", ["a", "b"]], [[secret]]))}
    return step


@st.composite
def pipelines(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "kind": "pipeline",
        "name": "p",
        "steps": [draw(steps(f"s{i}")) for i in range(draw(st.integers(1, 3)))],
        "services": [draw(steps(f"db{i}")) for i in range(draw(st.integers(0, 2)))],
    }
    if draw(st.booleans()):
        doc["volumes"] = [{"name": draw(VOLUMES), "temp": {}}]
    if draw(st.booleans()):
        doc["clone"] = {"disable": True}
    if draw(st.booleans()):
        doc["workspace"] = {"path": draw(mostly(["/go/src", "src"], ["../../etc", "/"]))}
    return doc


@settings(max_examples=500, deadline=None)
@given(pipelines())
def test_every_lint_clean_pipeline_compiles(doc: dict[str, Any]) -> None:
    result = load_text(json.dumps(doc), "gen.yml")
    found = lint(result, trusted=True)
    if any(d.severity == Severity.ERROR for d in found):
        return
    # A tag build, so that `app:${DRONE_TAG}` is a valid image (on a push it is `app:`,
    # which depends on the build, not on the file: lint cannot know it).
    ctx = BuildContext(trusted=True, event="tag", ref="refs/tags/v1.2.0")
    for pipeline in result.file.docker_pipelines:
        compile_pipeline(pipeline, ctx)  # must not raise
