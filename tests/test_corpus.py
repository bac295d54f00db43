"""Real pipelines: `lint --trusted` + `compile` give Drone's answer for every corpus file, and
every lint-clean pipeline we ship or document (examples/, docs/) compiles.

The corpus (tests/corpus/, see its README) is 49 `.drone.yml` files of public projects with
what Drone does with each in `expect.json`. One rule book means: what lint accepts, the
compiler compiles, and what Drone refuses, lint refuses.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conveyor.compiler.compile import compile_pipeline
from conveyor.compiler.context import BuildContext
from conveyor.config.loader import LoadResult, load_bytes, load_text
from conveyor.errors import ConfigError
from conveyor.lint import lint
from conveyor.source import Diagnostic, Severity

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
EXPECT: dict[str, dict[str, Any]] = json.loads((CORPUS / "expect.json").read_text())
EXAMPLES = sorted((ROOT / "examples").glob("*.yml")) + sorted((ROOT / "examples").glob("*/*.yml"))
_BLOCK = re.compile(r"^```ya?ml\n(.*?)^```", re.M | re.S)


def _doc_pipelines() -> list[tuple[str, str]]:
    found = []
    for doc in sorted([*(ROOT / "docs").glob("*.md"), ROOT / "README.md"]):
        for index, match in enumerate(_BLOCK.finditer(doc.read_text(encoding="utf-8"))):
            if "kind: pipeline" in match.group(1):
                found.append((f"{doc.name}#{index}", match.group(1)))
    return found


DOCS = _doc_pipelines()


def _errors(found: list[Diagnostic]) -> list[str]:
    return [d.headline() for d in found if d.severity == Severity.ERROR]


def _compile_problems(result: LoadResult) -> list[str]:
    """Each docker pipeline compiled as a trusted build: the errors, if any."""
    problems = []
    for pipeline in result.file.docker_pipelines:
        try:
            compile_pipeline(pipeline, BuildContext(trusted=True))
        except ConfigError as exc:
            problems.append(exc.render())
    return problems


def test_the_corpus_is_complete() -> None:
    assert len(EXPECT) == 49
    assert sorted(p.name for p in CORPUS.glob("*.yml")) == sorted(EXPECT)


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_lint_and_compile_agree_with_drone(name: str) -> None:
    expect = EXPECT[name]
    result = load_bytes((CORPUS / name).read_bytes(), name)
    found = lint(result, trusted=True)
    if expect["drone_accepts"]:
        assert _errors(found) == []
        assert _compile_problems(result) == []
    else:
        assert _errors(found), "Drone refuses this file; lint must say why"


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECT.items() if e["needs_trusted"]))
def test_trusted_fields_are_refused_without_trusted(name: str) -> None:
    result = load_bytes((CORPUS / name).read_bytes(), name)
    assert "E130" in {d.code for d in lint(result, trusted=False)}


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_each_pipeline_of_another_type_is_one_note(name: str) -> None:
    result = load_bytes((CORPUS / name).read_bytes(), name)
    notes = [d for d in lint(result, trusted=True) if d.severity == Severity.NOTE]
    others = [p for p in result.file.pipelines if not p.is_docker]
    assert [d.code for d in notes] == ["N001"] * len(others)
    other_types = set(EXPECT[name]["pipeline_types"]) - {"docker"}
    assert {p.type for p in others} == other_types
    assert [d for d in lint(result, trusted=True, strict=True) if d.code == "N001"] == notes


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_what_drone_ignores_is_a_warning_and_noise_is_gone(name: str) -> None:
    # The notes say which warnings are accurate (`W002 ports x2 accurate`: Drone ignores
    # them) and which were noise when the file was collected (`W001 \`pool\` (noise)`).
    note = EXPECT[name]["note"]
    accurate = set(re.findall(r"\b(W\d{3})\b(?:(?!\. ).)*?\baccurate", note))
    noise = set(re.findall(r"\b(W\d{3})\b(?:(?!\. ).)*?\(noise\)", note))
    result = load_bytes((CORPUS / name).read_bytes(), name)
    warned = {d.code for d in lint(result, trusted=True) if d.severity == Severity.WARNING}
    assert accurate <= warned
    assert not noise & warned


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_lint_clean_example_compiles(path: Path) -> None:
    result = load_bytes(path.read_bytes(), path.name)
    if _errors(lint(result, trusted=True)):
        assert "broken" in path.parts, "only examples/broken/ may have errors"
        return
    assert _compile_problems(result) == []


@pytest.mark.parametrize(("where", "text"), DOCS, ids=[where for where, _ in DOCS])
def test_every_lint_clean_pipeline_of_the_docs_compiles(where: str, text: str) -> None:
    result = load_text(text, where)
    if _errors(lint(result, trusted=True)):
        pytest.skip("a documented example of an error")
    assert _compile_problems(result) == []


def test_the_docs_hold_pipelines() -> None:
    assert len(DOCS) >= 4
