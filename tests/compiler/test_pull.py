"""The effective pull policy: step, else pipeline, else runner; the admin's allowed list."""

from __future__ import annotations

import pytest

from conveyor.compiler.compile import compile_pipeline
from conveyor.compiler.context import BuildContext
from conveyor.errors import ConfigError
from conveyor.images.policy import PullPolicy
from tests.compiler.helpers import pipeline_of, steps_yaml


def compiled_policy(step_pull: str | None, pipeline_pull: str | None, ctx: BuildContext) -> str:
    step = "- name: s\n  image: golang:1.12\n" + (f"  pull: {step_pull}\n" if step_pull else "")
    head = f"pull: {pipeline_pull}\n" if pipeline_pull else ""
    plan = compile_pipeline(pipeline_of(steps_yaml(step, head)), ctx)
    return plan.steps[0].pull.value


@pytest.mark.parametrize(
    ("step", "pipeline", "runner", "expected"),
    [
        (None, None, PullPolicy.DEFAULT, "default"),
        (None, None, PullPolicy.IF_NOT_EXISTS, "if-not-exists"),
        (None, "always", PullPolicy.IF_NOT_EXISTS, "always"),
        ("never", "always", PullPolicy.IF_NOT_EXISTS, "never"),
        ("Always", None, PullPolicy.DEFAULT, "always"),  # Drone lower-cases
    ],
)
def test_precedence(
    step: str | None, pipeline: str | None, runner: PullPolicy, expected: str
) -> None:
    assert compiled_policy(step, pipeline, BuildContext(runner_pull_default=runner)) == expected


def test_unknown_policy_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigError, match="not a pull policy; use one of: default, always") as e:
        compiled_policy("sometimes", None, BuildContext())
    assert e.value.span is not None
    assert (e.value.span.line, e.value.span.column) == (7, 9)


@pytest.mark.parametrize(
    ("step", "pipeline", "origin"),
    [
        ("never", None, 'step "s" sets pull policy never'),
        (None, "never", 'pipeline "default" sets pull policy never'),
    ],
)
def test_admin_restriction(step: str | None, pipeline: str | None, origin: str) -> None:
    ctx = BuildContext(allowed_pull_policies=frozenset({PullPolicy.ALWAYS, PullPolicy.DEFAULT}))
    with pytest.raises(ConfigError) as caught:
        compiled_policy(step, pipeline, ctx)
    assert caught.value.message == (
        f"{origin}, which this runner does not allow; use one of: default, always."
    )


def test_admin_restriction_allows_listed_policies() -> None:
    ctx = BuildContext(allowed_pull_policies=frozenset({PullPolicy.ALWAYS}))
    assert compiled_policy("always", None, ctx) == "always"
