"""spec Pipeline + BuildContext -> Plan, as a list of small named passes.

First `${...}` expressions are substituted with the build's variables, as Drone does.
Each step (services first, then steps) goes through STEP_PASSES in order; then the
pipeline-wide passes link the steps into a graph and decide the trigger. No pass reads
a secret value: `from_secret` stays a reference. Pure: raises `errors.ConfigError`
(one sentence, with the span of the field to change) and does no I/O.
"""

from __future__ import annotations

from conveyor.compiler.conditions import apply_when, static_skip_reason
from conveyor.compiler.context import BuildContext
from conveyor.compiler.environ import apply_environment, build_environment
from conveyor.compiler.graph import link_steps
from conveyor.compiler.images import resolve_image
from conveyor.compiler.options import apply_options
from conveyor.compiler.passes import StepPass, StepSource
from conveyor.compiler.pull import resolve_pull
from conveyor.compiler.script import apply_script
from conveyor.compiler.settings import apply_settings
from conveyor.compiler.substitution import substitute_pipeline
from conveyor.compiler.trust import check_pipeline, check_step
from conveyor.compiler.workspace import apply_workspace, plan_volumes, workspace_layout
from conveyor.errors import ConfigError
from conveyor.images.policy import PullPolicy
from conveyor.plan.model import Plan, StepKind, StepPlan
from conveyor.spec.model import ConfigFile, Pipeline

STEP_PASSES: tuple[tuple[str, StepPass], ...] = (
    ("trust", check_step),
    ("image", resolve_image),
    ("pull", resolve_pull),
    ("options", apply_options),
    ("environment", apply_environment),
    ("settings", apply_settings),
    ("script", apply_script),
    ("workspace", apply_workspace),
    ("when", apply_when),
)
"""Order matters where passes share a field: `script` sets DRONE_SCRIPT after the user's
environment and settings so that neither can replace the script."""


def compile_pipeline(pipeline: Pipeline, ctx: BuildContext) -> Plan:
    """The plan of `pipeline` for the build `ctx`; ConfigError if it cannot run."""
    if not pipeline.is_docker:
        raise _other_runner(pipeline)
    # Drone substitutes `${...}` with the build's variables before it reads the pipeline.
    variables = build_environment(pipeline, ctx, workspace_layout(pipeline))
    pipeline = substitute_pipeline(pipeline, variables)
    check_pipeline(pipeline, ctx)
    layout = workspace_layout(pipeline)
    system = build_environment(pipeline, ctx, layout)
    members = [
        *((StepKind.SERVICE, step) for step in pipeline.services),
        *((StepKind.STEP, step) for step in pipeline.steps),
    ]
    plans: list[StepPlan] = []
    for number, (kind, step) in enumerate(members, start=1):
        source = StepSource(
            pipeline=pipeline,
            step=step,
            kind=kind,
            number=number,
            ctx=ctx,
            layout=layout,
            system_environment=system,
        )
        plan = StepPlan(name=step.name, kind=kind, image="", pull=PullPolicy.DEFAULT)
        for _name, step_pass in STEP_PASSES:
            plan = step_pass(plan, source)
        plans.append(plan)
    return Plan(
        pipeline=pipeline.name,
        steps=link_steps(pipeline, plans),
        workspace_path=layout.full,
        workspace_base=layout.base if layout.base != layout.full else None,
        volumes=plan_volumes(pipeline),
        registry_secrets=pipeline.image_pull_secrets,
        trusted=ctx.trusted,
        skip_reason=static_skip_reason(pipeline.trigger, ctx, "trigger"),
    )


def select_pipeline(file: ConfigFile, name: str | None) -> Pipeline:
    """The docker pipeline called `name`, or the first docker pipeline when `name` is None.

    A pipeline of another type (kubernetes, exec...) is for another runner: naming it, or a
    file with no docker pipeline at all, is a ConfigError that says so.
    """
    pipelines = file.pipelines
    if not pipelines:
        raise ConfigError(
            f"{file.path} holds no pipeline; add a `kind: pipeline` document.",
        )
    docker = file.docker_pipelines
    if name is None:
        if not docker:
            others = ", ".join(f'"{p.name}" ({p.type})' for p in pipelines)
            raise ConfigError(
                f"{file.path} holds no docker pipeline, only pipelines for other runners: "
                f"{others}; Conveyor runs `type: docker` pipelines."
            )
        return docker[0]
    for pipeline in pipelines:
        if pipeline.name == name:
            if not pipeline.is_docker:
                raise _other_runner(pipeline)
            return pipeline
    known = ", ".join(f'"{p.name}"' for p in docker) or "none is of type docker"
    raise ConfigError(
        f'{file.path} has no pipeline named "{name}"; choose one of: {known}.',
    )


def _other_runner(pipeline: Pipeline) -> ConfigError:
    return ConfigError(
        f'pipeline "{pipeline.name}" is for another runner (type: {pipeline.type}); Conveyor '
        "runs only `type: docker` pipelines.",
        span=pipeline.span_of("type"),
    )
