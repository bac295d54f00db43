"""The stage job as JSON data and back: a full round trip, defaults, and clear refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conveyor.errors import ConfigError
from conveyor.plan.model import MountKind, MountPlan, VolumePlan
from conveyor.registry.settings import PluginSettings, RegistrySources, TlsMode
from conveyor.runner.job import StageJob
from conveyor.runner.job_codec import job_from_data, job_to_data
from conveyor.runner.run_loop import Limits
from tests.runner.builders import plan, serial, service, step

FULL = StageJob(
    plan=plan(
        service("db"),
        *serial(
            step("a", secrets={"TOKEN": "token"}, mounts=(MountPlan(volume="c", target="/c"),)),
            step("b", environment={"X": "1"}),
        ),
        volumes=(VolumePlan(name="c", kind=MountKind.VOLUME),),
        registry_secrets=("dockerconfig",),
    ),
    secrets={"token": "hunter2", "dockerconfig": '{"auths": {}}'},
    pull_request_secrets=frozenset({"token"}),
    build={"repo": "octo/app", "branch": "feature-x", "event": "pull_request"},
    registry=RegistrySources(
        config_files=(Path("/etc/conveyor/config.json"),),
        plugin=PluginSettings(
            endpoint="https://plugin.local/r",
            secret="plugin-shared-secret",
            tls=TlsMode.SKIP_VERIFY,
            timeout=5.0,
        ),
    ),
    limits=Limits(step_timeout=600.0, run_timeout=3600.0, stop_grace=2.0),
    parallel=2,
    workspace_source=Path("/home/me/project"),
    workspace_exclude=(Path(".secrets"),),
    extra_env={"EXTRA": "extra-value"},
)


def _through_json(job: StageJob) -> StageJob:
    return job_from_data(json.loads(json.dumps(job_to_data(job))))


def test_a_full_job_survives_json() -> None:
    assert _through_json(FULL) == FULL


def test_a_minimal_job_takes_the_defaults() -> None:
    minimal = StageJob(plan=plan(step("a")))
    assert _through_json(minimal) == minimal
    assert job_from_data({"plan": job_to_data(minimal)["plan"]}) == minimal


def test_the_repr_shows_no_secret_value() -> None:
    text = repr(FULL)
    for value in ("hunter2", "auths", "plugin-shared-secret", "extra-value"):
        assert value not in text


def _with(**changes: Any) -> dict[str, Any]:
    data = job_to_data(FULL)
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "the stage job's job must be an object."),
        ({}, "the stage job lacks the key job.plan; add it."),
        (_with(colour="red"), "the stage job has an unknown key job.colour; remove it."),
        (_with(parallel=0), "the stage job's job.parallel must be a whole number of at least 1."),
        (_with(parallel=1.5), "the stage job's job.parallel must be a whole number."),
        (_with(secrets={"token": 1}), "the stage job's job.secrets.token must be a string."),
        (_with(pull_request_secrets="token"), "job.pull_request_secrets must be a list"),
        (_with(limits={"step_timeout": "10m"}), "job.limits.step_timeout must be a number."),
        (_with(registry={"plugin": {"endpoint": "x"}}), "job.registry.plugin.secret must be"),
        (
            _with(registry={"plugin": {"endpoint": "x", "secret": "s", "tls": "off"}}),
            "job.registry.plugin.tls must be verify or skip-verify.",
        ),
        (_with(plan={"pipeline": "p"}), "the plan lacks the key plan.steps"),
    ],
)
def test_a_malformed_job_is_refused_with_the_key(data: object, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        job_from_data(data)
    assert message in caught.value.message
    assert "hunter2" not in caught.value.message
