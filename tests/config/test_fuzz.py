"""Property tests: no input, however malformed, makes the loader or the linter raise.

Arbitrary text and bytes, mutations of the valid examples, and random YAML built from
Drone's keys all go through load -> lint -> render; only diagnostics may come out.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conveyor.config.loader import LoadResult, load_bytes, load_text
from conveyor.errors import ConveyorError
from conveyor.lint import lint
from conveyor.lint.render import render_json, render_text

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yml"))
SOURCES = [p.read_text(encoding="utf-8") for p in EXAMPLES]
FUZZ = settings(
    max_examples=int(os.environ.get("CONVEYOR_FUZZ_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
"""Moderate by default (the suite runs on 2 cores); raise CONVEYOR_FUZZ_EXAMPLES to dig."""
YAML_CHARS = st.sampled_from([*":-[]{}&*!|>'\"#%@`,?\t\n \\<", "<<: *a", "&a ", "- "])
KEYS = st.sampled_from(
    [
        "kind",
        "type",
        "name",
        "steps",
        "services",
        "image",
        "commands",
        "depends_on",
        "environment",
        "settings",
        "when",
        "trigger",
        "volumes",
        "pull",
        "privileged",
        "from_secret",
        "host",
        "temp",
        "path",
        "status",
        "include",
        "exclude",
        "shm_size",
        "<<",
    ]
)


def _exercise(result: LoadResult) -> None:
    try:
        diagnostics = lint(result, trusted=False)
        lint(result, trusted=True)
        render_text(diagnostics, result.source, color=True)
        render_json(diagnostics)
    except ConveyorError:
        pass  # the project's own errors are allowed; anything else fails the test


@FUZZ
@given(st.text(max_size=400))
def test_arbitrary_text(text: str) -> None:
    _exercise(load_text(text, "fuzz.yml"))


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data: bytes) -> None:
    _exercise(load_bytes(data, "fuzz.yml"))


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SOURCES))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate", "replace"]))
        if action == "insert":
            text = text[:position] + draw(YAML_CHARS) + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 40)) :]
        elif action == "duplicate":
            text = text[:position] + text[position : position + 60] + text[position:]
        else:
            text = text[:position] + draw(st.text(max_size=3)) + text[position + 1 :]
    return text


@FUZZ
@given(_mutated())
def test_mutated_examples(text: str) -> None:
    _exercise(load_text(text, "mutated.yml"))


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["golang:1.22", "Bad Image", "always", "sometimes", "/abs", "rel", "1g"]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(KEYS | st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=25,
)


@FUZZ
@given(
    st.lists(
        st.dictionaries(KEYS, _VALUES, max_size=8).map(lambda d: {"kind": "pipeline", **d}),
        min_size=1,
        max_size=3,
    )
)
def test_random_drone_shaped_documents(documents: list[dict[str, object]]) -> None:
    text = yaml.safe_dump_all(documents, sort_keys=False)
    _exercise(load_text(text, "shaped.yml"))
