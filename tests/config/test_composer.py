"""Bad YAML never raises: each kind of malformed input becomes one diagnostic with a position."""

from __future__ import annotations

import pytest

from conveyor.config.composer import Limits, compose
from conveyor.config.nodes import YMapping, YScalar, YSequence


def _bomb(levels: int) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, levels):
        name, previous = chr(ord("a") + index), chr(ord("a") + index - 1)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


CASES = [
    # (id, text, code, line, column)
    ("unclosed flow list", "a: [1, 2\nb: 3\n", "E001", 2, 2),
    ("colon in plain scalar", "a: b: c\n", "E001", 1, 5),
    ("tab indentation", "a:\n\tb: 1\n", "E003", 2, 1),
    ("tab before a list item", "a:\n  - 1\n\t- 2\n", "E003", 3, 1),
    ("control character", "a: x\x07y\n", "E002", 1, 5),
    ("NUL byte", "a: 1\nb: \x00\n", "E002", 2, 4),
    ("deep block nesting", "".join("  " * i + f"k{i}:\n" for i in range(80)), "E005", 65, 129),
    ("deep flow nesting", "a: " + "[" * 100_000 + "]" * 100_000, "E005", 1, 1003),
    ("billion laughs", _bomb(9), "E006", 6, 26),
    ("undefined alias", "a: *nope\n", "E007", 1, 4),
    ("alias inside its own anchor", "a: &x [1, *x]\n", "E007", 1, 11),
]


@pytest.mark.parametrize(
    ("text", "code", "line", "column"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_yaml_is_one_diagnostic(text: str, code: str, line: int, column: int) -> None:
    composed = compose(text, "f.yml")
    assert composed.problem is not None
    span = composed.problem.span
    assert span is not None
    assert (composed.problem.code, span.line, span.column) == (code, line, column)
    assert span.file == "f.yml"


def test_tab_message_is_clear() -> None:
    composed = compose("a:\n\tb: 1\n", "f.yml")
    assert composed.problem is not None
    assert "tab" in composed.problem.message
    assert "spaces" in composed.problem.message


def test_documents_before_a_syntax_error_are_kept() -> None:
    composed = compose("a: 1\n---\nb: [\n", "f.yml")
    assert composed.problem is not None
    assert len(composed.documents) == 1


def test_aliases_share_nodes_and_keep_positions() -> None:
    composed = compose("a: &x {k: v}\nb: *x\n", "f.yml")
    assert composed.problem is None
    (doc,) = composed.documents
    assert isinstance(doc, YMapping)
    (_, first), (_, second) = doc.pairs
    assert first is second
    assert (first.line, first.column) == (1, 4)  # a node starts at its anchor
    assert doc.weight == 1 + 2 + 3 + 3  # keys, and the aliased mapping counted twice


def test_yaml_11_tags_resolve() -> None:
    composed = compose("a: yes\nb: on\nc: 0x1f\nd: ~\ne: '1'\nf: 1.5\n", "f.yml")
    (doc,) = composed.documents
    assert isinstance(doc, YMapping)
    tags = {k.value: v.tag.rsplit(":", 1)[-1] for k, v in doc.pairs if isinstance(k, YScalar)}
    assert tags == {"a": "bool", "b": "bool", "c": "int", "d": "null", "e": "str", "f": "float"}


def test_empty_documents_are_skipped_and_an_empty_stream_is_flagged() -> None:
    assert compose("", "f.yml").empty
    assert compose("# only a comment\n", "f.yml").empty
    composed = compose("---\n---\na: [1]\n---\n", "f.yml")
    assert not composed.empty
    (doc,) = composed.documents
    assert isinstance(doc, YMapping)
    assert isinstance(doc.pairs[0][1], YSequence)


def test_limits_are_configurable() -> None:
    assert compose("a: [[1]]\n", "f.yml", Limits(max_depth=2)).problem is not None
    assert compose("a: [[1]]\n", "f.yml", Limits(max_depth=3)).problem is None
    text = "a: &a [1, 2, 3]\nb: [*a, *a]\n"
    assert compose(text, "f.yml", Limits(max_alias_nodes=7)).problem is not None
    assert compose(text, "f.yml", Limits(max_alias_nodes=8)).problem is None
