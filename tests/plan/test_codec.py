"""The plan JSON codec: stable text, exact round trip, clear errors."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conveyor.errors import ConfigError
from conveyor.images.policy import PullPolicy
from conveyor.plan.codec import plan_from_json, plan_to_json
from conveyor.plan.model import (
    FailurePolicy,
    MountKind,
    MountPlan,
    Plan,
    RunPolicy,
    StepKind,
    StepPlan,
    VolumePlan,
)

FULL = Plan(
    pipeline="default",
    steps=(
        StepPlan(
            name="db",
            kind=StepKind.SERVICE,
            image="docker.io/library/redis:6",
            pull=PullPolicy.IF_NOT_EXISTS,
        ),
        StepPlan(
            name="build",
            kind=StepKind.STEP,
            image="127.0.0.1:5000/ci-test/busybox:1",
            pull=PullPolicy.ALWAYS,
            entrypoint=("/bin/sh", "-c"),
            command=('eval "$DRONE_SCRIPT"',),
            environment={"B": "2", "A": "ünïcode"},
            secrets={"TOKEN": "token"},
            depends_on=("db",),
            run_policy=RunPolicy.ON_FAILURE,
            skip_reason='branch "dev" is not in when.branch (main)',
            failure_policy=FailurePolicy.IGNORE,
            detach=True,
            privileged=True,
            mounts=(MountPlan(volume="workspace", target="/drone/src"),),
            working_dir="/drone/src",
            user="1000:1000",
            shm_size=1024,
            network_mode="host",
            dns=("8.8.8.8",),
            dns_search=("example.com",),
            extra_hosts=("db:10.0.0.1",),
            devices=(("/dev/fuse", "/dev/fuse"),),
            cpu_limit=1.5,
            mem_limit=268435456,
        ),
    ),
    workspace_path="/go/src/app",
    workspace_base="/go",
    volumes=(
        VolumePlan(name="cache", kind=MountKind.VOLUME),
        VolumePlan(name="sock", kind=MountKind.BIND, host_path="/var/run/docker.sock"),
    ),
    registry_secrets=("dockerconfig",),
    trusted=True,
    skip_reason=None,
)


def test_round_trip() -> None:
    assert plan_from_json(plan_to_json(FULL)) == FULL


def test_text_is_stable_and_readable() -> None:
    text = plan_to_json(FULL)
    assert text == plan_to_json(plan_from_json(text))
    assert text.endswith("}\n")
    data = json.loads(text)
    assert list(data) == [
        "pipeline",
        "steps",
        "workspace_path",
        "workspace_base",
        "volumes",
        "registry_secrets",
        "trusted",
        "skip_reason",
    ]
    build = data["steps"][1]
    assert list(build["environment"]) == ["A", "B"]  # mappings sorted
    assert build["kind"] == "step"
    assert build["pull"] == "always"
    assert build["devices"] == [["/dev/fuse", "/dev/fuse"]]
    assert '"A": "ünïcode"' in text
    assert '\n  "pipeline": "default",\n' in text  # indent 2


def test_defaults_may_be_left_out() -> None:
    step = {"name": "s", "kind": "step", "image": "i", "pull": "never"}
    text = json.dumps({"pipeline": "p", "steps": [step], "workspace_path": "/w"})
    plan = plan_from_json(text)
    assert plan.steps[0].pull == PullPolicy.NEVER
    assert plan.steps[0].run_policy is RunPolicy.ON_SUCCESS
    assert plan.steps[0].failure_policy is FailurePolicy.FAIL


def test_cpu_limit_accepts_an_integer() -> None:
    data = json.loads(plan_to_json(FULL))
    data["steps"][1]["cpu_limit"] = 2
    assert plan_from_json(json.dumps(data)).steps[1].cpu_limit == 2.0


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("pipeline"), "lacks the key plan.pipeline"),
        (lambda d: d.update(extra=1), "unknown key plan.extra"),
        (lambda d: d["steps"][0].update(pull="sometimes"), "plan.steps[0].pull must be one of"),
        (lambda d: d["steps"][0].update(kind=1), "plan.steps[0].kind must be"),
        (lambda d: d["steps"][1].update(environment=[]), "steps[1].environment must be an object"),
        (lambda d: d["steps"][1].update(devices=[["a"]]), "devices[0] must be a list of 2 items"),
        (lambda d: d.update(trusted="yes"), "plan.trusted must be bool"),
        (lambda d: d.update(steps={}), "plan.steps must be a list"),
        (lambda d: d["steps"][1].update(shm_size=True), "shm_size must be int"),
    ],
)
def test_errors_name_the_key(edit: object, message: str) -> None:
    data = json.loads(plan_to_json(FULL))
    assert callable(edit)
    edit(data)
    with pytest.raises(ConfigError) as caught:
        plan_from_json(json.dumps(data))
    assert message in caught.value.message


def test_not_json() -> None:
    with pytest.raises(ConfigError, match="not valid JSON"):
        plan_from_json("{")


text = st.text(max_size=12)
step_plans = st.builds(
    StepPlan,
    name=text,
    kind=st.sampled_from(StepKind),
    image=text,
    pull=st.sampled_from(PullPolicy),
    entrypoint=st.none() | st.tuples(text, text),
    environment=st.dictionaries(text, text, max_size=3),
    secrets=st.dictionaries(text, text, max_size=3),
    depends_on=st.lists(text, max_size=3).map(tuple),
    skip_reason=st.none() | text,
    mounts=st.lists(st.builds(MountPlan, volume=text, target=text), max_size=2).map(tuple),
    devices=st.lists(st.tuples(text, text), max_size=2).map(tuple),
    cpu_limit=st.none() | st.floats(allow_nan=False, allow_infinity=False),
    mem_limit=st.none() | st.integers(),
)
plans = st.builds(
    Plan,
    pipeline=text,
    steps=st.lists(step_plans, max_size=3).map(tuple),
    workspace_path=text,
    workspace_base=st.none() | text,
    volumes=st.lists(
        st.builds(
            VolumePlan, name=text, kind=st.sampled_from(MountKind), host_path=st.none() | text
        ),
        max_size=2,
    ).map(tuple),
)


@settings(max_examples=150, deadline=None)
@given(plans)
def test_any_plan_round_trips(plan: Plan) -> None:
    assert plan_from_json(plan_to_json(plan)) == plan
