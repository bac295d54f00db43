"""Drone's `DRONE_SEMVER*` variables of a tag build: the tag read as a semantic version.

Pure: a tag in, variables out. A leading `v` is allowed (`v1.2.3`); a tag that is not a
semantic version gives no variables, as in Drone.
"""

from __future__ import annotations

import re

_IDENT = r"[0-9A-Za-z-]+"
_SEMVER = re.compile(
    r"v?(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    rf"(?:-(?P<pre>{_IDENT}(?:\.{_IDENT})*))?(?:\+(?P<build>{_IDENT}(?:\.{_IDENT})*))?",
    re.ASCII,
)


def semver_environment(tag: str) -> dict[str, str]:
    """`DRONE_SEMVER`, `_SHORT`, `_MAJOR`, `_MINOR`, `_PATCH`, `_PRERELEASE`, `_BUILD`; or {}."""
    match = _SEMVER.fullmatch(tag)
    if match is None:
        return {}
    short = f"{match['major']}.{match['minor']}.{match['patch']}"
    return {
        "DRONE_SEMVER": tag.removeprefix("v"),
        "DRONE_SEMVER_SHORT": short,
        "DRONE_SEMVER_MAJOR": match["major"],
        "DRONE_SEMVER_MINOR": match["minor"],
        "DRONE_SEMVER_PATCH": match["patch"],
        "DRONE_SEMVER_PRERELEASE": match["pre"] or "",
        "DRONE_SEMVER_BUILD": match["build"] or "",
    }
