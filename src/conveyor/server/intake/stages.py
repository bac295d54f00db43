"""The pipeline file of a build to stages: lint, trigger and compile, as `conveyor lint/compile`.

`plan_build` is pure: the same bytes and build always give the same stages. A file with lint
errors (or one the compiler refuses) gives an `Intake` with `error` set and no stage; the server
records that build as `failure` with the error as its message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from conveyor.compiler.compile import compile_pipeline
from conveyor.compiler.conditions import constraint_match, static_skip_reason
from conveyor.compiler.context import BuildContext
from conveyor.config.loader import load_bytes
from conveyor.errors import ConfigError
from conveyor.lint import lint
from conveyor.lint.render import render_text
from conveyor.plan.codec import plan_to_json
from conveyor.plan.model import Plan
from conveyor.rpc.assignment import CloneOptions
from conveyor.server.intake.model import BuildInput, Intake, StagePlanned, StageStatus
from conveyor.source import Severity
from conveyor.spec.model import Conditions, FromSecret, Pipeline


def context_of(build: BuildInput) -> BuildContext:
    """The compiler's view of the build."""
    return BuildContext(
        repo=build.repo,
        branch=build.branch,
        event=build.event,
        ref=build.ref,
        commit=build.commit,
        build_number=build.number,
        trusted=build.trusted,
        instance=build.instance,
        action=build.action,
        created=build.created,
    )


def plan_build(text: bytes, build: BuildInput) -> Intake:
    """The stages of `build` from the pipeline file `text`, or the error that fails it."""
    result = load_bytes(text, build.config_path)
    diagnostics = lint(result, trusted=build.trusted)
    if any(d.severity == Severity.ERROR for d in diagnostics):
        return Intake(stages=[], error=render_text(diagnostics, result.source, color=False))
    pipelines = result.file.pipelines
    if not pipelines:
        return Intake(stages=[], error=f"{build.config_path} holds no `kind: pipeline` document")
    ctx = context_of(build)
    try:
        stages = [plan_stage(number, p, ctx) for number, p in enumerate(pipelines, start=1)]
    except ConfigError as exc:
        return Intake(stages=[], error=exc.render())
    return Intake(stages=link_stages(stages, pipelines))


def plan_stage(number: int, pipeline: Pipeline, ctx: BuildContext) -> StagePlanned:
    """The stage of one pipeline (docker pipelines compiled; others planned by type only)."""
    platform = pipeline.platform
    on_success, on_failure = _status_policy(pipeline.trigger)
    plan: Plan | None = None
    if pipeline.type == "docker":
        plan = compile_pipeline(pipeline, ctx)
        skip_reason = plan.skip_reason
        secrets = plan_secrets(plan)
    else:
        skip_reason = static_skip_reason(pipeline.trigger, ctx, "trigger")
        secrets = spec_secrets(pipeline)
    return StagePlanned(
        number=number,
        name=pipeline.name,
        type=pipeline.type,
        os=platform.os if platform else "linux",
        arch=platform.arch if platform else "amd64",
        variant=(platform.variant or "") if platform else "",
        labels=dict(pipeline.node),
        depends_on=pipeline.depends_on,
        status=StageStatus.SKIPPED if skip_reason else StageStatus.PENDING,
        skip_reason=skip_reason,
        plan=plan,
        plan_json=None if plan is None else plan_to_json(plan),
        secret_names=secrets,
        trusted=ctx.trusted,
        limit=pipeline.concurrency_limit or 0,
        on_success=on_success,
        on_failure=on_failure,
        clone=_clone(pipeline),
    )


def _clone(pipeline: Pipeline) -> CloneOptions:
    """The `clone:` section as the agent receives it."""
    clone = pipeline.clone
    if clone is None:
        return CloneOptions()
    return CloneOptions(disable=clone.disable, depth=clone.depth, skip_verify=clone.skip_verify)


def _status_policy(trigger: Conditions | None) -> tuple[bool, bool]:
    """Drone: without `trigger: status` a stage runs on success only."""
    if trigger is None or not (trigger.status.include or trigger.status.exclude):
        return True, False
    return constraint_match(trigger.status, "success"), constraint_match(trigger.status, "failure")


def link_stages(stages: list[StagePlanned], pipelines: Iterable[Pipeline]) -> list[StagePlanned]:
    """Dependencies through skipped stages lead to their own dependencies (Drone's dag rework)."""
    declared = {p.name: p.depends_on for p in pipelines}
    skipped = {s.name for s in stages if s.status == StageStatus.SKIPPED}

    def effective(names: tuple[str, ...], seen: frozenset[str]) -> list[str]:
        found: list[str] = []
        for name in names:
            if name in seen:
                continue  # cycles are lint errors; never loop
            if name in skipped:
                found.extend(effective(declared.get(name, ()), seen | {name}))
            elif name in declared:
                found.append(name)
        return found

    linked: list[StagePlanned] = []
    for stage in stages:
        if stage.status == StageStatus.SKIPPED:
            linked.append(stage)
            continue
        needs = tuple(dict.fromkeys(effective(stage.depends_on, frozenset({stage.name}))))
        status = StageStatus.WAITING if needs else StageStatus.PENDING
        linked.append(replace(stage, depends_on=needs, status=status))
    return linked


def plan_secrets(plan: Plan) -> tuple[str, ...]:
    """Every secret name a compiled plan uses (environment, settings, image_pull_secrets)."""
    names = {name for step in plan.steps for name in step.secrets.values()}
    names.update(plan.registry_secrets)
    return tuple(sorted(names))


def spec_secrets(pipeline: Pipeline) -> tuple[str, ...]:
    """The same for a pipeline the docker compiler does not compile (kubernetes, exec...)."""
    names = set(pipeline.image_pull_secrets)
    values: list[object] = [*pipeline.environment.values()]
    for step in (*pipeline.services, *pipeline.steps):
        values.extend(step.environment.values())
        values.extend(step.settings.values())
    names.update(v.name for v in values if isinstance(v, FromSecret))
    return tuple(sorted(names))
