"""Drone's glob patterns (doublestar) for `when` and `trigger`."""

from __future__ import annotations

import pytest

from conveyor.compiler.globs import glob_match


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
