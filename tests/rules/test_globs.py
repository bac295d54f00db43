"""Drone's glob patterns (doublestar) for `when` and `trigger`."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conveyor.rules import globs
from conveyor.rules.glob_bits import BitMatcher
from conveyor.rules.globs import glob_match, prefix_matches


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("main", "main", True),
        ("main", "mainline", False),
        ("feature/*", "feature/x", True),
        ("feature/*", "feature/x/y", False),  # `*` stops at `/`, unlike fnmatch
        ("feature/**", "feature/x/y", True),
        ("refs/tags/**", "refs/tags/v1.0", True),
        ("refs/**/v1", "refs/v1", True),
        ("refs/**/v1", "refs/a/b/v1", True),
        ("**", "any/thing", True),
        ("release-**", "release-1/x", False),  # `**` inside a component is `*`
        ("release-**", "release-1", True),
        ("v?", "v1", True),
        ("v?", "v/", False),
        ("v[0-9]", "v7", True),
        ("v[0-9]", "vx", False),
        ("v[!0-9]", "vx", True),
        ("v[^0-9]", "v1", False),
        ("{main,develop}", "develop", True),
        ("{main,develop}", "dev", False),
        ("release/{v1,v2}.*", "release/v2.3", True),
        ("a\\*b", "a*b", True),
        ("a\\*b", "axb", False),
        ("a.b", "axb", False),  # a dot is literal
        ("[unclosed", "[unclosed", False),  # malformed: matches nothing, like Drone
        ("{open", "{open", False),
        ("pull_request", "pull_request", True),
        ("", "", True),
    ],
)
def test_glob_match(pattern: str, value: str, expected: bool) -> None:
    assert glob_match(pattern, value) is expected


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("[a-]", "-", True),
        ("[]a]", "]", True),
        ("v[\\]]", "v]", True),
        ("{a,{b,c}d}", "cd", True),
        ("{a,b/c}/x", "b/c/x", True),
        ("**/x", "x", True),
        ("**/x", "a/b/x", True),
        ("[!a]", "/", False),
        ("[}-]]", "}", False),  # the old regex translation raised re.error on this range
        ("[z-a]", "m", False),
    ],
)
def test_glob_edges(pattern: str, value: str, expected: bool) -> None:
    assert glob_match(pattern, value) is expected


@pytest.mark.timeout(20)
@pytest.mark.parametrize("unit", ["*a", "*?", "a*", "**/a*"])
def test_patterns_that_backtrack_exponentially_elsewhere_finish(unit: str) -> None:
    # A backtracking matcher needs about len(value)**(number of stars) steps on these.
    assert glob_match(unit * 5000 + "*b", "a" * 255) is False
    assert glob_match(unit * 5000 + "*Z", "a" * 255 + "b") is False
    assert glob_match(unit * 100 + "*b", "a" * 255 + "b") is (unit != "**/a*")


@pytest.mark.timeout(20)
def test_prefix_and_suffix_matches_in_one_pass() -> None:
    value = "ab" * 5000
    assert prefix_matches("a*", value)[:3] == [1, 2, 3]
    assert prefix_matches("*b", value, from_end=True)[:2] == [1, 2]
    assert prefix_matches("[", value) == []


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a", "b", "/", "*", "**", "**/", "/**", "?", "[a-b]", "[!a]", "\\*", "["]),
        max_size=6,
    ).map("".join),
    st.text(alphabet="ab/-", max_size=8),
    st.booleans(),
)
def test_the_bit_parallel_matcher_agrees_with_the_state_set_automaton(
    pattern: str, value: str, reverse: bool
) -> None:
    # Patterns without braces use glob_bits; the Thompson NFA is the reference.
    try:
        items, _ = globs._parse(pattern, 0, in_braces=False)
    except globs._BadPatternError:
        return
    if reverse:
        items = globs._reversed(items)
    nfa = globs._Nfa()
    nfa.start, nfa.accept = nfa.sequence(items)
    assert BitMatcher(items, globs._CLASSES).ends(value) == nfa.ends(value)
