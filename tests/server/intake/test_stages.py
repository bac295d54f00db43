"""plan_build: lint, trigger and compile a pipeline file into stages, as `conveyor` does locally."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from conveyor.compiler.compile import compile_pipeline, select_pipeline
from conveyor.config.loader import load_text
from conveyor.plan.codec import plan_from_json, plan_to_json
from conveyor.server.intake import BuildInput, StageStatus, plan_build, read_file_at
from conveyor.server.intake.stages import context_of
from tests.server.git_support import make_repo
from tests.server.pipelines import TWO_PIPELINES as TWO

BUILD = BuildInput(
    repo="acme/widgets",
    event="push",
    branch="main",
    ref="refs/heads/main",
    commit="9f1c2b3a4d5e6f708192a3b4c5d6e7f809112233",
    number=7,
    created=1796032800,
)


def test_two_pipelines_with_depends_on() -> None:
    intake = plan_build(TWO.encode(), BUILD)
    assert intake.error is None
    test, publish = intake.stages
    assert (test.number, test.name, test.type, test.kind) == (1, "test", "docker", "pipeline")
    assert (test.status, test.depends_on, test.secret_names) == (
        StageStatus.PENDING,
        (),
        ("api_token",),
    )
    assert (publish.number, publish.status, publish.depends_on) == (
        2,
        StageStatus.WAITING,
        ("test",),
    )
    assert (publish.os, publish.arch, publish.labels) == ("linux", "arm64", {"disk": "ssd"})
    assert publish.secret_names == ("docker_password", "dockerconfig")


def test_plan_json_is_what_conveyor_compile_gives() -> None:
    intake = plan_build(TWO.encode(), BUILD)
    result = load_text(TWO, ".drone.yml")
    expected = compile_pipeline(select_pipeline(result.file, "publish"), context_of(BUILD))
    assert intake.stages[1].plan_json == plan_to_json(expected)
    plan = plan_from_json(intake.stages[1].plan_json or "")
    assert plan.registry_secrets == ("dockerconfig",)
    env = plan.steps[0].environment
    assert env["DRONE_BUILD_NUMBER"] == "7"
    assert env["DRONE_COMMIT_SHA"] == BUILD.commit
    assert "docker_password" not in json.dumps(env)


def test_trigger_excluded_pipeline_is_skipped_and_dependents_look_through_it() -> None:
    text = TWO + (
        "---\nkind: pipeline\nname: notify\ndepends_on: [publish]\n"
        "steps:\n- name: n\n  image: alpine\n  commands: [echo]\n"
    )
    intake = plan_build(text.encode(), replace(BUILD, branch="dev"))
    test, publish, notify = intake.stages
    assert test.status == StageStatus.PENDING
    assert publish.status == StageStatus.SKIPPED
    assert publish.skip_reason == 'branch "dev" is not in trigger.branch (main)'
    # Drone re-works dependencies through skipped stages: notify now waits for test.
    assert (notify.status, notify.depends_on) == (StageStatus.WAITING, ("test",))


def test_a_dependency_chain_of_skipped_stages_leaves_a_stage_pending() -> None:
    text = (
        "kind: pipeline\nname: a\ntrigger: {event: [tag]}\n"
        "steps:\n- name: s\n  image: alpine\n  commands: [x]\n"
        "---\nkind: pipeline\nname: b\ndepends_on: [a]\n"
        "steps:\n- name: s\n  image: alpine\n  commands: [x]\n"
    )
    a, b = plan_build(text.encode(), BUILD).stages
    assert a.status == StageStatus.SKIPPED
    assert (b.status, b.depends_on) == (StageStatus.PENDING, ())


def test_a_broken_file_lists_every_diagnostic_with_its_line() -> None:
    text = (
        "kind: pipeline\nname: x\nsteps:\n- name: a\n  image: Bad Image\n"
        "  pull: sometimes\n  comands: [make]\n"
    )
    intake = plan_build(text.encode(), BUILD)
    assert intake.stages == []
    error = intake.error or ""
    assert ".drone.yml:5:10: error[" in error
    assert ".drone.yml:6:9: error[" in error
    assert ".drone.yml:7:3: warning[" in error
    assert " 6 |   pull: sometimes" in error
    assert error.rstrip().endswith("2 errors, 1 warning")
    assert "\x1b[" not in error


def test_the_config_path_names_the_file_in_diagnostics() -> None:
    build = replace(BUILD, config_path="ci/pipeline.yml")
    error = plan_build(b"kind: pipeline\nsteps: 3\n", build).error or ""
    assert error.startswith("ci/pipeline.yml:2:")


def test_trusted_only_fields_follow_the_build() -> None:
    text = "kind: pipeline\nsteps:\n- name: a\n  image: alpine\n  privileged: true\n"
    assert plan_build(text.encode(), BUILD).error
    trusted = replace(BUILD, trusted=True)
    intake = plan_build(text.encode(), trusted)
    assert intake.error is None
    assert intake.stages[0].trusted is True


def test_files_without_pipelines_and_binary_files_fail_clearly() -> None:
    assert plan_build(b"", BUILD).error
    secret_only = b"kind: secret\nname: x\nget: {path: a, name: b}\n"
    assert "defines no pipeline" in (plan_build(secret_only, BUILD).error or "")
    assert "error[" in (plan_build(b"\xff\xfe\x00", BUILD).error or "")


def test_trigger_status_becomes_on_success_and_on_failure() -> None:
    text = (
        "kind: pipeline\nname: a\nsteps:\n- name: s\n  image: alpine\n  commands: [x]\n"
        "---\nkind: pipeline\nname: b\ndepends_on: [a]\ntrigger: {status: [failure]}\n"
        "steps:\n- name: s\n  image: alpine\n  commands: [x]\n"
    )
    a, b = plan_build(text.encode(), BUILD).stages
    assert (a.on_success, a.on_failure) == (True, False)
    assert (b.on_success, b.on_failure) == (False, True)


def test_from_a_real_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {".drone.yml": TWO})
    text = read_file_at(repo.url, repo.head(), ".drone.yml", tmp_path / "cache")
    build = replace(BUILD, commit=repo.head())
    assert [s.name for s in plan_build(text, build).stages] == ["test", "publish"]


def test_same_input_same_stages() -> None:
    assert plan_build(TWO.encode(), BUILD) == plan_build(TWO.encode(), BUILD)


def test_a_pull_request_plans_for_its_target_branch_and_action() -> None:
    build = replace(
        BUILD,
        event="pull_request",
        ref="refs/pull/12/head",
        source="feature/x",
        action="synchronized",
    )
    text = TWO.replace("  branch: [main]", "  branch: [main]\n  action: [opened]")
    publish = plan_build(text.encode(), build).stages[1]
    assert publish.skip_reason == 'action "synchronized" is not in trigger.action (opened)'


def test_a_pipeline_for_another_runner_is_a_stage_of_its_type_without_a_plan() -> None:
    """What plan_build gives once lint accepts other types (i-rules): planned, not compiled."""
    from conveyor.server.intake.stages import context_of, plan_stage

    text = (
        "kind: pipeline\ntype: kubernetes\nname: k8s\nplatform: {os: linux, arch: arm64}\n"
        "node: {pool: big}\nimage_pull_secrets: [regcred]\n"
        "environment: {A: {from_secret: pipeline_wide}}\n"
        "steps:\n- name: a\n  image: alpine\n  commands: [x]\n"
        "  environment: {B: {from_secret: step_one}}\n"
        "  settings: {token: {from_secret: plugin_token}, plain: 1}\n"
        "trigger: {event: [tag]}\n"
    )
    (pipeline,) = load_text(text, ".drone.yml").file.pipelines
    stage = plan_stage(4, pipeline, context_of(BUILD))
    assert (stage.number, stage.name, stage.type, stage.plan_json) == (4, "k8s", "kubernetes", None)
    assert (stage.arch, stage.labels) == ("arm64", {"pool": "big"})
    assert stage.secret_names == ("pipeline_wide", "plugin_token", "regcred", "step_one")
    assert stage.status == StageStatus.SKIPPED
    assert stage.skip_reason == 'event "push" is not in trigger.event (tag)'
