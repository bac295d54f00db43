"""The pull table of semantics.md section 3 and effective-policy resolution."""

from __future__ import annotations

import pytest

from conveyor.errors import ConfigError
from conveyor.images.decision import (
    EffectivePolicy,
    PolicyOrigin,
    PullAction,
    decide,
    effective_policy,
    missing_image_message,
    parse_policy,
)
from conveyor.images.policy import PullPolicy
from conveyor.images.reference import parse_reference

DIGEST = "sha256:" + "a" * 64
PULL, USE, FAIL = PullAction.PULL, PullAction.USE_CACHE, PullAction.FAIL
D, A, INE, N = PullPolicy.DEFAULT, PullPolicy.ALWAYS, PullPolicy.IF_NOT_EXISTS, PullPolicy.NEVER

# policy, image, when cached, when absent
# fmt: off
TABLE = [
    (D, "golang", PULL, PULL),
    (D, "golang:latest", PULL, PULL),
    (D, "golang:1.12", USE, PULL),
    (D, "golang:Latest", USE, PULL),  # exactly "latest" only
    (D, f"golang@{DIGEST}", USE, PULL),
    (D, f"golang:latest@{DIGEST}", USE, PULL),  # a digest is never "latest"
    (INE, "golang", USE, PULL),
    (INE, "golang:1.12", USE, PULL),
    (INE, f"golang@{DIGEST}", USE, PULL),
    (A, "golang", PULL, PULL),
    (A, "golang:1.12", PULL, PULL),
    (A, f"golang@{DIGEST}", PULL, PULL),
    (N, "golang", USE, FAIL),
    (N, "golang:1.12", USE, FAIL),
    (N, f"golang@{DIGEST}", USE, FAIL),
]
# fmt: on


@pytest.mark.parametrize(("policy", "image", "cached", "absent"), TABLE)
def test_pull_table(policy: PullPolicy, image: str, cached: PullAction, absent: PullAction) -> None:
    ref = parse_reference(image)
    assert decide(policy, ref, cached=True) is cached
    assert decide(policy, ref, cached=False) is absent


def test_action_values_are_the_json_words() -> None:
    assert [a.value for a in PullAction] == ["pull", "use", "fail"]


@pytest.mark.parametrize("text", ["default", "always", "if-not-exists", "never"])
def test_parse_policy_accepts_drone_values(text: str) -> None:
    assert parse_policy(text).value == text


@pytest.mark.parametrize("text", ["Always", "if-not-exist", "", "ifnotexists"])
def test_parse_policy_refuses_unknown_values_listing_the_valid_ones(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_policy(text)
    assert "default, always, if-not-exists, never" in caught.value.message


# step, pipeline, runner, expected policy, expected origin
# fmt: off
RESOLUTION = [
    (None, None, D, D, PolicyOrigin.RUNNER),
    (None, None, A, A, PolicyOrigin.RUNNER),
    (None, INE, A, INE, PolicyOrigin.PIPELINE),
    (N, INE, A, N, PolicyOrigin.STEP),
    (D, A, A, D, PolicyOrigin.STEP),  # an explicit `pull: default` still wins
]
# fmt: on


@pytest.mark.parametrize(("step", "pipeline", "runner", "policy", "origin"), RESOLUTION)
def test_effective_policy_precedence(
    step: PullPolicy | None,
    pipeline: PullPolicy | None,
    runner: PullPolicy,
    policy: PullPolicy,
    origin: PolicyOrigin,
) -> None:
    got = effective_policy(step=step, pipeline=pipeline, runner=runner)
    assert got == EffectivePolicy(policy=policy, origin=origin)


def test_allowed_list_accepts_allowed_policy() -> None:
    got = effective_policy(step=A, allowed={A, INE})
    assert got.policy is A


@pytest.mark.parametrize(
    ("step", "pipeline", "runner", "named"),
    [(N, None, D, "step"), (None, N, D, "pipeline"), (None, None, D, "runner")],
)
def test_allowed_list_refuses_with_policy_origin_and_allowed_names(
    step: PullPolicy | None, pipeline: PullPolicy | None, runner: PullPolicy, named: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        effective_policy(step=step, pipeline=pipeline, runner=runner, allowed=[INE, A])
    message = caught.value.message
    assert f"set by the {named}" in message
    assert "allowed: always, if-not-exists" in message
    assert repr((step or pipeline or runner).value) in message


def test_empty_allowed_list_refuses_everything() -> None:
    with pytest.raises(ConfigError, match="allowed: none"):
        effective_policy(step=A, allowed=())


def test_missing_image_message_names_image_and_policy() -> None:
    text = missing_image_message(parse_reference("golang:1.12"), N)
    assert "'golang:1.12'" in text
    assert "'never'" in text
