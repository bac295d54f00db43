"""The stage job of `conveyor exec`: built from flags, with the plugin seeing the plan's build."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from conveyor.cache.guard import OpenGuard
from conveyor.cli.exec_job import build_job
from conveyor.cli.main import build_parser
from conveyor.engine.contract import ImageInfo
from conveyor.engine.fake import FakeEngine
from conveyor.runner.dag import RunStatus
from conveyor.runner.events import Recorder
from conveyor.runner.job import StageJob
from conveyor.runner.stage import run_stage
from tests.registry.test_plugin import SECRET, Behaviour, plugin_server  # noqa: F401 - a fixture

IMAGE = "docker.io/ci-test/busybox:1"
PIPELINE = """\
kind: pipeline
type: docker
name: p
steps:
- name: s
  image: ci-test/busybox:1
  commands: [true]
  environment:
    TOKEN: {from_secret: token}
"""


def _job(tmp_path: Path, *flags: str) -> StageJob:
    (tmp_path / ".drone.yml").write_text(PIPELINE)
    (tmp_path / ".secrets").write_text("token=hunter2\nother=zzz-other\n")
    args = build_parser().parse_args(["exec", "--secret-file", ".secrets", *flags])
    job = build_job(args, io.StringIO())
    assert job is not None
    return job


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project directory whose git checkout is on branch `feature-x`."""
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/feature-x\n")
    monkeypatch.chdir(tmp_path)
    for name in ("DRONE_REGISTRY_PLUGIN_ENDPOINT", "DRONE_REGISTRY_PLUGIN_SECRET"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_the_registry_plugin_sees_the_branch_the_plan_was_compiled_for(
    checkout: Path,
    monkeypatch: pytest.MonkeyPatch,
    plugin_server: tuple[str, Behaviour],  # noqa: F811 - the imported fixture
) -> None:
    """No --branch: the plan takes the git branch, and so must the plugin's request."""
    endpoint, behaviour = plugin_server
    monkeypatch.setenv("DRONE_REGISTRY_PLUGIN_ENDPOINT", endpoint)
    monkeypatch.setenv("DRONE_REGISTRY_PLUGIN_SECRET", SECRET)
    job = _job(checkout)
    engine = FakeEngine(images={IMAGE: ImageInfo(image_id="sha256:" + "1" * 64)})
    finished = run_stage(job, engine=engine, sink=Recorder(), guard=OpenGuard())
    assert finished.status is RunStatus.SUCCESS
    plan_branch = job.plan.steps[0].environment["DRONE_BRANCH"]
    assert plan_branch == "feature-x"
    (request,) = behaviour.seen
    sent = json.loads(request["body"])
    assert sent["repo"]["slug"] == job.plan.steps[0].environment["DRONE_REPO"]
    assert sent["build"]["target"] == plan_branch
    assert sent["build"]["ref"] == "refs/heads/feature-x"
    assert sent["build"]["event"] == "push"


def test_a_pull_request_job_withholds_all_but_the_allowed_secrets(checkout: Path) -> None:
    job = _job(checkout, "--event", "pull_request", "--pull-request-secret", "other")
    assert job.pull_request
    assert job.withheld_secrets() == frozenset({"token"})
    assert job.usable_secrets() == {"other": "zzz-other"}
    engine = FakeEngine(images={IMAGE: ImageInfo(image_id="sha256:" + "1" * 64)})
    recorder = Recorder()
    run_stage(job, engine=engine, sink=recorder, guard=OpenGuard())
    assert "TOKEN" not in engine.envs["s"].values
    assert any("withheld from this pull request" in str(e) for e in recorder.events)


def test_a_push_job_withholds_nothing(checkout: Path) -> None:
    job = _job(checkout, "--pull-request-secret", "other")
    assert not job.pull_request
    assert job.usable_secrets() == {"token": "hunter2", "other": "zzz-other"}


def test_the_job_never_shows_secret_values(checkout: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRONE_REGISTRY_PLUGIN_ENDPOINT", "http://127.0.0.1:9/")
    monkeypatch.setenv("DRONE_REGISTRY_PLUGIN_SECRET", "plugin-shared-secret")
    (checkout / "extra.env").write_text("EXTRA=extra-value\n")
    job = _job(checkout, "--env-file", "extra.env")
    text = repr(job)
    for value in ("hunter2", "zzz-other", "plugin-shared-secret", "extra-value"):
        assert value not in text
    assert job.registry.plugin is not None
    assert job.workspace_exclude == (Path(".secrets"), Path("extra.env"))
