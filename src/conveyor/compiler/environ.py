"""Pass `environment`: the `CI_*`/`DRONE_*` variables of the build, then the user's.

Layers, later wins (as in Drone's runner): the pipeline's `environment`, the build
variables, the step's `environment`. A `from_secret` value becomes a secret reference
(`StepPlan.secrets`: variable -> secret name), never a value. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from conveyor.compiler.context import BuildContext
from conveyor.compiler.passes import Layout, StepSource
from conveyor.compiler.semver import semver_environment
from conveyor.plan.model import StepPlan
from conveyor.spec.model import EnvValue, FromSecret, Pipeline, Platform

Layer = Mapping[str, EnvValue]


def build_environment(pipeline: Pipeline, ctx: BuildContext, layout: Layout) -> dict[str, str]:
    """The variables every step of `pipeline` sees, from the build context."""
    platform = pipeline.platform or Platform()
    env = {"CI": "true", "DRONE": "true"}
    env |= _repo(ctx)
    env |= _build(ctx)
    env |= {
        "DRONE_STAGE_KIND": "pipeline",
        "DRONE_STAGE_TYPE": pipeline.type,
        "DRONE_STAGE_NAME": pipeline.name,
        "DRONE_STAGE_NUMBER": "1",
        "DRONE_STAGE_MACHINE": ctx.runner_name,
        "DRONE_STAGE_OS": platform.os,
        "DRONE_STAGE_ARCH": platform.arch,
        "DRONE_STAGE_VARIANT": platform.variant or "",
        "DRONE_STAGE_STATUS": "success",
        "DRONE_STAGE_STARTED": str(ctx.created),
        "DRONE_STAGE_DEPENDS_ON": ",".join(pipeline.depends_on),
        "DRONE_SYSTEM_HOST": ctx.instance,
        "DRONE_SYSTEM_HOSTNAME": ctx.instance,
        "DRONE_RUNNER_NAME": ctx.runner_name,
        "DRONE_RUNNER_HOSTNAME": ctx.runner_name,
        "DRONE_RUNNER_PLATFORM": f"{platform.os}/{platform.arch}",
    }
    for prefix in ("DRONE", "CI"):
        env[f"{prefix}_WORKSPACE"] = layout.full
        env[f"{prefix}_WORKSPACE_BASE"] = layout.base
        env[f"{prefix}_WORKSPACE_PATH"] = layout.path
    return env


def _repo(ctx: BuildContext) -> dict[str, str]:
    owner, _, name = ctx.repo.rpartition("/")
    return {
        "DRONE_REPO": ctx.repo,
        "DRONE_REPO_OWNER": owner,
        "DRONE_REPO_NAMESPACE": owner,
        "DRONE_REPO_NAME": name,
        "CI_REPO": ctx.repo,
        "CI_REPO_NAME": ctx.repo,
    }


def _build(ctx: BuildContext) -> dict[str, str]:
    env = {
        "DRONE_BRANCH": ctx.branch,
        "DRONE_SOURCE_BRANCH": ctx.branch,
        "DRONE_TARGET_BRANCH": ctx.branch,
        "DRONE_COMMIT": ctx.commit,
        "DRONE_COMMIT_SHA": ctx.commit,
        "DRONE_COMMIT_AFTER": ctx.commit,
        "DRONE_COMMIT_REF": ctx.ref,
        "DRONE_COMMIT_BRANCH": ctx.branch,
        "DRONE_BUILD_NUMBER": str(ctx.build_number),
        "DRONE_BUILD_EVENT": ctx.event,
        "DRONE_BUILD_ACTION": ctx.action,
        "DRONE_BUILD_STATUS": "success",
        "DRONE_BUILD_CREATED": str(ctx.created),
        "DRONE_BUILD_STARTED": str(ctx.created),
        "DRONE_DEPLOY_TO": ctx.target,
        # Drone 0.8 names, still set by Drone 1.x for old plugins.
        "CI_BUILD_NUMBER": str(ctx.build_number),
        "CI_BUILD_EVENT": ctx.event,
        "CI_BUILD_STATUS": "success",
        "CI_BUILD_CREATED": str(ctx.created),
        "CI_BUILD_STARTED": str(ctx.created),
        "CI_BUILD_TARGET": ctx.target,
        "CI_COMMIT_SHA": ctx.commit,
        "CI_COMMIT_REF": ctx.ref,
        "CI_COMMIT_BRANCH": ctx.branch,
    }
    if ctx.ref.startswith("refs/tags/"):
        env["DRONE_TAG"] = ctx.ref.removeprefix("refs/tags/")
        env.update(semver_environment(env["DRONE_TAG"]))
    if ctx.event == "pull_request":
        number = re.search(r"\d+", ctx.ref)
        env["DRONE_PULL_REQUEST"] = number.group() if number else ""
    return env


def merge_layers(
    environment: Mapping[str, str], secrets: Mapping[str, str], layers: Iterable[Layer]
) -> tuple[dict[str, str], dict[str, str]]:
    """Apply `layers` over (environment, secrets); a variable lives in exactly one of them."""
    env, refs = dict(environment), dict(secrets)
    for layer in layers:
        for key, value in layer.items():
            if isinstance(value, FromSecret):
                refs[key] = value.name
                env.pop(key, None)
            else:
                env[key] = value
                refs.pop(key, None)
    return env, refs


def apply_environment(plan: StepPlan, source: StepSource) -> StepPlan:
    """Pipeline environment < build variables < step environment."""
    step_vars = {"DRONE_STEP_NAME": source.step.name, "DRONE_STEP_NUMBER": str(source.number)}
    env, refs = merge_layers(
        plan.environment,
        plan.secrets,
        (
            source.pipeline.environment,
            source.system_environment,
            step_vars,
            source.step.environment,
        ),
    )
    return replace(plan, environment=env, secrets=refs)
