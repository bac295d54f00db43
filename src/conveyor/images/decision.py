"""The pull decision (semantics.md section 3) and the resolution of the effective pull policy.

Pure functions: given a policy, a reference and whether the image is cached, say whether to
pull, use the cache or fail. They never look at the engine; the runner asks the engine whether
the image is cached and acts on the answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from conveyor.errors import ConfigError
from conveyor.images.policy import PullPolicy
from conveyor.images.reference import Reference


class PullAction(StrEnum):
    """What to do with one image before a step runs."""

    PULL = "pull"
    USE_CACHE = "use"
    FAIL = "fail"


class PolicyOrigin(StrEnum):
    """Where the effective pull policy came from, for messages."""

    STEP = "step"
    PIPELINE = "pipeline"
    RUNNER = "runner"


@dataclass(frozen=True, slots=True, kw_only=True)
class EffectivePolicy:
    """The policy that applies to one step, and the level that chose it."""

    policy: PullPolicy
    origin: PolicyOrigin


VALID_POLICIES: tuple[str, ...] = tuple(policy.value for policy in PullPolicy)


def decide(policy: PullPolicy, reference: Reference, cached: bool) -> PullAction:
    """The table of semantics.md section 3: pull, use the cached image, or fail."""
    if policy is PullPolicy.ALWAYS:
        return PullAction.PULL
    if policy is PullPolicy.DEFAULT and reference.is_latest():
        return PullAction.PULL
    if cached:
        return PullAction.USE_CACHE
    if policy is PullPolicy.NEVER:
        return PullAction.FAIL
    return PullAction.PULL


def parse_policy(text: str) -> PullPolicy:
    """`if-not-exists` -> PullPolicy.IF_NOT_EXISTS; an unknown value is a ConfigError."""
    try:
        return PullPolicy(text)
    except ValueError:
        valid = ", ".join(VALID_POLICIES)
        raise ConfigError(
            f"pull policy {text!r} is not one of {valid}",
            hint="omit `pull:` for the default behaviour",
        ) from None


def effective_policy(
    *,
    step: PullPolicy | None,
    pipeline: PullPolicy | None = None,
    runner: PullPolicy = PullPolicy.DEFAULT,
    allowed: Iterable[PullPolicy] | None = None,
) -> EffectivePolicy:
    """Step `pull` > pipeline default > runner default, checked against the admin's allowed list.

    `allowed=None` allows every policy. A policy outside the list raises ConfigError naming the
    policy, the level that chose it and the allowed ones.
    """
    if step is not None:
        chosen = EffectivePolicy(policy=step, origin=PolicyOrigin.STEP)
    elif pipeline is not None:
        chosen = EffectivePolicy(policy=pipeline, origin=PolicyOrigin.PIPELINE)
    else:
        chosen = EffectivePolicy(policy=runner, origin=PolicyOrigin.RUNNER)
    if allowed is not None:
        permitted = frozenset(allowed)
        if chosen.policy not in permitted:
            names = ", ".join(p.value for p in PullPolicy if p in permitted) or "none"
            raise ConfigError(
                f"pull policy {chosen.policy.value!r} (set by the {chosen.origin.value}) "
                f"is not allowed on this runner; allowed: {names}",
                hint=_hint(chosen.origin),
            )
    return chosen


def _hint(origin: PolicyOrigin) -> str:
    if origin is PolicyOrigin.RUNNER:
        return "the runner's default pull policy must be one of the allowed policies"
    return f"change `pull:` of the {origin.value} to an allowed policy"


def missing_image_message(reference: Reference, policy: PullPolicy) -> str:
    """The one sentence for a FAIL decision: the image and the policy that forbade the pull."""
    return (
        f"image {reference.familiar()!r} is not in the local cache and pull policy "
        f"{policy.value!r} forbids pulling it; pull it first or use `pull: if-not-exists`"
    )
