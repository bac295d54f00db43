"""compile_pipeline and select_pipeline: errors, environment layers, trust, trigger."""

from __future__ import annotations

import pytest

from conveyor.compiler.compile import compile_pipeline, select_pipeline
from conveyor.compiler.context import BuildContext
from conveyor.config.loader import load_text
from conveyor.errors import ConfigError
from conveyor.plan.codec import plan_to_json
from conveyor.plan.model import FailurePolicy, RunPolicy
from conveyor.secrets.secretfile import parse_secret_text
from tests.compiler.helpers import pipeline_of, steps_yaml


@pytest.mark.parametrize(
    ("field", "yaml_line"),
    [
        ("privileged", "privileged: true"),
        ("devices", "devices:\n  - name: /dev/fuse\n    path: /dev/fuse"),
        ("dns", "dns: [8.8.8.8]"),
        ("dns_search", "dns_search: [example.com]"),
        ("extra_hosts", "extra_hosts: ['db:10.0.0.1']"),
        ("network_mode", "network_mode: host"),
        ("shm_size", "shm_size: 1024"),
    ],
)
def test_trusted_only_step_fields(field: str, yaml_line: str) -> None:
    body = "- name: s\n  image: docker:dind\n  " + yaml_line + "\n"
    pipeline = pipeline_of(steps_yaml(body))
    with pytest.raises(ConfigError, match=f'`{field}` of step "s" is allowed only') as caught:
        compile_pipeline(pipeline, BuildContext())
    assert caught.value.span is not None
    assert caught.value.span.line == 7
    trusted = compile_pipeline(pipeline, BuildContext(trusted=True))
    assert trusted.trusted


@pytest.mark.parametrize(
    ("volume", "message"),
    [
        ("host:\n    path: /tmp", 'host volume "v" is allowed only'),
        ("temp:\n    medium: memory", 'memory volume "v" is allowed only'),
    ],
)
def test_trusted_only_volumes(volume: str, message: str) -> None:
    head = f"volumes:\n- name: v\n  {volume}\n"
    pipeline = pipeline_of(steps_yaml("- name: s\n  image: golang\n", head))
    with pytest.raises(ConfigError, match=message):
        compile_pipeline(pipeline, BuildContext())
    compile_pipeline(pipeline, BuildContext(trusted=True))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("- name: s\n  commands: [x]\n", 'step "s" has no image'),
        ("- name: s\n  image: Golang:1\n", 'step "s": '),
        ("- name: s\n  image: golang\n  failure: sometimes\n", 'failure "sometimes"'),
    ],
)
def test_step_errors(body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        compile_pipeline(pipeline_of(steps_yaml(body)), BuildContext())
    assert caught.value.span is not None


def test_image_error_points_at_the_image() -> None:
    with pytest.raises(ConfigError) as caught:
        compile_pipeline(pipeline_of(steps_yaml("- name: s\n  image: 'a b'\n")), BuildContext())
    assert caught.value.span is not None
    assert (caught.value.span.line, caught.value.span.column) == (6, 10)


def test_environment_layers() -> None:
    head = """\
    environment:
      A: pipeline
      B: pipeline
      DRONE_BRANCH: pipeline
      S1:
        from_secret: one
      S2:
        from_secret: two
    """
    body = """\
    - name: s
      image: golang
      commands: [env]
      environment:
        B: step
        S1: plain now
        C:
          from_secret: three
        DRONE_SCRIPT: hijack
    """
    plan = compile_pipeline(pipeline_of(steps_yaml(body, head)), BuildContext(branch="dev"))
    step = plan.steps[0]
    assert step.environment["A"] == "pipeline"
    assert step.environment["B"] == "step"
    assert step.environment["DRONE_BRANCH"] == "dev"  # build variables beat the pipeline's
    assert step.environment["S1"] == "plain now"
    assert step.secrets == {"S2": "two", "C": "three"}
    assert not set(step.secrets) & set(step.environment)
    assert step.environment["DRONE_SCRIPT"].startswith("set -e\n")


@pytest.mark.parametrize(
    ("ctx", "expected"),
    [
        (BuildContext(event="tag", ref="refs/tags/v1.2"), {"DRONE_TAG": "v1.2"}),
        (
            BuildContext(event="pull_request", ref="refs/pull/42/head"),
            {"DRONE_PULL_REQUEST": "42"},
        ),
        (BuildContext(event="promote", target="prod"), {"DRONE_DEPLOY_TO": "prod"}),
        (
            BuildContext(repo="octo/cat", build_number=7, commit="a" * 40, created=99),
            {
                "DRONE_REPO_OWNER": "octo",
                "DRONE_REPO_NAME": "cat",
                "DRONE_BUILD_NUMBER": "7",
                "CI_BUILD_NUMBER": "7",
                "DRONE_COMMIT_SHA": "a" * 40,
                "DRONE_BUILD_CREATED": "99",
            },
        ),
    ],
)
def test_build_variables(ctx: BuildContext, expected: dict[str, str]) -> None:
    plan = compile_pipeline(pipeline_of(steps_yaml("- name: s\n  image: golang\n")), ctx)
    environment = plan.steps[0].environment
    assert {key: environment.get(key) for key in expected} == expected
    assert environment["CI"] == environment["DRONE"] == "true"
    assert environment["DRONE_STEP_NAME"] == "s"


def test_trigger_decides_the_pipeline() -> None:
    head = "trigger:\n  branch: [main]\n  event:\n    exclude: [pull_request]\n"
    pipeline = pipeline_of(steps_yaml("- name: s\n  image: golang\n", head))
    assert compile_pipeline(pipeline, BuildContext()).skip_reason is None
    skipped = compile_pipeline(pipeline, BuildContext(branch="dev"))
    assert skipped.skip_reason == 'branch "dev" is not in trigger.branch (main)'


def test_when_skips_a_step_and_keeps_status_for_the_runner() -> None:
    body = """\
    - name: deploy
      image: golang
      when:
        branch: [release/*]
    - name: notify
      image: golang
      when:
        status: [failure]
    """
    plan = compile_pipeline(pipeline_of(steps_yaml(body)), BuildContext())
    deploy, notify = plan.steps
    assert deploy.skip_reason == 'branch "main" is not in when.branch (release/*)'
    assert (notify.skip_reason, notify.run_policy) == (None, RunPolicy.ON_FAILURE)


def test_failure_ignore_and_detach() -> None:
    body = "- {name: s, image: golang, failure: ignore, detach: true}\n"
    step = compile_pipeline(pipeline_of(steps_yaml(body)), BuildContext()).steps[0]
    assert (step.failure_policy, step.detach) == (FailurePolicy.IGNORE, True)


def test_registry_secrets_keep_their_order() -> None:
    head = "image_pull_secrets: [second, first]\n"
    pipeline = pipeline_of(steps_yaml("- {name: s, image: x}\n", head))
    plan = compile_pipeline(pipeline, BuildContext())
    assert plan.registry_secrets == ("second", "first")


def test_only_docker_pipelines_compile() -> None:
    text = "kind: pipeline\ntype: exec\nname: x\nsteps:\n- name: s\n  commands: [x]\n"
    with pytest.raises(ConfigError, match=r"is for another runner \(type: exec\)"):
        compile_pipeline(load_text(text, "x.yml").file.pipelines[0], BuildContext())


MIXED = """\
kind: pipeline
type: kubernetes
name: kube
steps:
- {name: s, image: x}
---
kind: pipeline
type: vm
name: vm
---
kind: pipeline
name: here
depends_on: [kube, vm]
steps:
- {name: s, image: x}
"""


def test_select_pipeline_takes_the_first_docker_pipeline() -> None:
    file = load_text(MIXED, "m.yml").file
    assert select_pipeline(file, None).name == "here"
    with pytest.raises(ConfigError, match=r'"kube" is for another runner \(type: kubernetes\)'):
        select_pipeline(file, "kube")
    with pytest.raises(ConfigError, match='choose one of: "here"'):
        select_pipeline(file, "nope")


def test_a_file_without_a_docker_pipeline_says_so() -> None:
    file = load_text(MIXED.rsplit("---", 1)[0], "m.yml").file
    with pytest.raises(ConfigError) as caught:
        select_pipeline(file, None)
    assert caught.value.message == (
        'm.yml holds no docker pipeline, only pipelines for other runners: "kube" (kubernetes), '
        '"vm" (vm); Conveyor runs `type: docker` pipelines.'
    )


TWO = """\
kind: pipeline
name: first
steps:
- {name: s, image: x}
---
kind: pipeline
name: second
steps:
- {name: s, image: x}
"""


def test_select_pipeline() -> None:
    file = load_text(TWO, ".drone.yml").file
    assert select_pipeline(file, None).name == "first"
    assert select_pipeline(file, "second").name == "second"
    with pytest.raises(ConfigError) as caught:
        select_pipeline(file, "third")
    assert caught.value.message == (
        '.drone.yml has no pipeline named "third"; choose one of: "first", "second".'
    )


def test_select_pipeline_without_pipelines() -> None:
    file = load_text("kind: secret\nname: x\nget:\n  path: a\n  name: b\n", "s.yml").file
    with pytest.raises(ConfigError, match="holds no pipeline"):
        select_pipeline(file, None)


def test_secret_values_never_reach_the_plan() -> None:
    values = parse_secret_text(
        "token=s3cr3t-t0ken\npassword='multi\nline value'\ndockerconfig={\"auths\": {}}\n",
        "s.env",
    )
    head = "environment:\n  TOKEN:\n    from_secret: token\nimage_pull_secrets: [dockerconfig]\n"
    body = """\
    - name: s
      image: plugins/docker
      settings:
        password:
          from_secret: password
    """
    plan = compile_pipeline(pipeline_of(steps_yaml(body, head)), BuildContext())
    printed = plan_to_json(plan) + repr(plan) + str(plan)
    for value in values.values():
        assert value not in printed
    assert plan.steps[0].secrets == {"TOKEN": "token", "PLUGIN_PASSWORD": "password"}
