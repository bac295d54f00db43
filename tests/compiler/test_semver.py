"""DRONE_SEMVER* of a tag build, as Drone's environment reference describes them."""

from __future__ import annotations

import pytest

from conveyor.compiler.semver import semver_environment


@pytest.mark.parametrize(
    ("tag", "semver", "short", "pre", "build"),
    [
        ("1.2.3", "1.2.3", "1.2.3", "", ""),
        ("v1.2.3", "1.2.3", "1.2.3", "", ""),
        ("1.2.3-alpha.1", "1.2.3-alpha.1", "1.2.3", "alpha.1", ""),
        ("1.2.3+001", "1.2.3+001", "1.2.3", "", "001"),
        ("v10.20.30-rc.1+build.5", "10.20.30-rc.1+build.5", "10.20.30", "rc.1", "build.5"),
    ],
)
def test_a_semver_tag(tag: str, semver: str, short: str, pre: str, build: str) -> None:
    env = semver_environment(tag)
    assert env["DRONE_SEMVER"] == semver
    assert env["DRONE_SEMVER_SHORT"] == short
    major, minor, patch = short.split(".")
    assert (env["DRONE_SEMVER_MAJOR"], env["DRONE_SEMVER_MINOR"]) == (major, minor)
    assert env["DRONE_SEMVER_PATCH"] == patch
    assert env["DRONE_SEMVER_PRERELEASE"] == pre
    assert env["DRONE_SEMVER_BUILD"] == build


@pytest.mark.parametrize("tag", ["release-1", "1.2", "01.2.3", "1.2.3-", "1.2.3+", "v", "1.2.3.4"])
def test_other_tags_give_no_semver(tag: str) -> None:
    assert semver_environment(tag) == {}
