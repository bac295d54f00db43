"""Spec objects for compiler tests, written as YAML and loaded by the real loader."""

from __future__ import annotations

import textwrap

from conveyor.config.loader import load_text
from conveyor.source import Severity
from conveyor.spec.model import Pipeline


def pipeline_of(yaml_text: str) -> Pipeline:
    """The first pipeline of `yaml_text`; fails the test if loading found an error."""
    result = load_text(textwrap.dedent(yaml_text), ".drone.yml")
    errors = [d.headline() for d in result.diagnostics if d.severity == Severity.ERROR]
    assert not errors, errors
    return result.file.pipelines[0]


def steps_yaml(body: str, head: str = "") -> str:
    """A pipeline document with `head` (pipeline fields) and `body` (the steps list)."""
    return (
        "kind: pipeline\ntype: docker\nname: default\n"
        + textwrap.dedent(head)
        + "steps:\n"
        + textwrap.dedent(body)
    )
