"""Small plan builders for runner tests (the compiler's output, written by hand)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conveyor.engine.contract import ImageInfo
from conveyor.images.policy import PullPolicy
from conveyor.plan.model import Plan, StepKind, StepPlan
from conveyor.runner.job import StageJob

IMAGE = "docker.io/ci-test/busybox:1"
CACHED = {IMAGE: ImageInfo(image_id="sha256:" + "1" * 64)}


def step(name: str, **fields: Any) -> StepPlan:
    """A step on the cached busybox image, policy default (uses the cache for tag `1`)."""
    fields.setdefault("image", IMAGE)
    fields.setdefault("pull", PullPolicy.DEFAULT)
    fields.setdefault("kind", StepKind.STEP)
    return StepPlan(name=name, **fields)


def service(name: str, **fields: Any) -> StepPlan:
    """A service on the cached busybox image."""
    return step(name, kind=StepKind.SERVICE, **fields)


def serial(*steps: StepPlan) -> tuple[StepPlan, ...]:
    """Each step depends on the previous one, as the compiler does without depends_on."""
    chained: list[StepPlan] = []
    for index, item in enumerate(steps):
        if index and not item.depends_on:
            chained.append(_with(item, depends_on=(steps[index - 1].name,)))
        else:
            chained.append(item)
    return tuple(chained)


def _with(item: StepPlan, **fields: Any) -> StepPlan:
    from dataclasses import replace

    return replace(item, **fields)


def plan(*steps: StepPlan, **fields: Any) -> Plan:
    """A plan named `test` with workspace /drone/src."""
    fields.setdefault("workspace_path", "/drone/src")
    return Plan(pipeline="test", steps=tuple(steps), **fields)


def job(the_plan: Plan, secrets: Mapping[str, str] | None = None, **fields: Any) -> StageJob:
    """A stage job of `the_plan`, with `secrets` (none by default) and other job fields."""
    return StageJob(plan=the_plan, secrets=dict(secrets or {}), **fields)
