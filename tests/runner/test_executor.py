"""Scenario tests of the executor on the fake engine: scheduling, statuses, events, cleanup."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from conveyor.cache.guard import OpenGuard
from conveyor.engine.contract import LogStream
from conveyor.engine.fake import FakeEngine, FakeStep
from conveyor.errors import SecretError
from conveyor.images.credentials import Credential
from conveyor.images.policy import PullPolicy
from conveyor.images.reference import Reference
from conveyor.plan.model import FailurePolicy, RunPolicy
from conveyor.registry.settings import RegistrySources
from conveyor.runner.dag import RunStatus, StepStatus
from conveyor.runner.events import (
    LogLines,
    Notice,
    RunFinished,
    StepFinished,
    StepStarted,
)
from conveyor.runner.executor import Executor
from conveyor.runner.run_loop import Limits
from tests.runner.builders import CACHED, job, plan, serial, service, step


class Creds:
    """A credential set stand-in that remembers what it was built from."""

    def __init__(
        self,
        configs: Sequence[tuple[str, str]],
        sources: RegistrySources,
        build: Mapping[str, str],
    ) -> None:
        self.configs = list(configs)
        self.files = list(sources.config_files)
        self.problems: list[str] = ["runner config /nope is missing"] if self.files else []

    def candidates_for(self, reference: Reference) -> list[Credential]:
        return []


def make(engine: FakeEngine) -> tuple[Executor, list[object]]:
    events: list[object] = []

    class Sink:
        def emit(self, event: object) -> None:
            events.append(event)

    executor = Executor(engine, sink=Sink(), guard=OpenGuard(), credentials=Creds)
    return executor, events


def statuses(result: RunFinished) -> dict[str, StepStatus]:
    return {r.name: r.status for r in result.results}


def test_serial_success_runs_every_step_in_order_and_cleans_up() -> None:
    engine = FakeEngine(images=CACHED)
    executor, events = make(engine)
    result = executor.run(job(plan(*serial(step("a"), step("b"), step("c")))))
    assert result.status is RunStatus.SUCCESS
    assert engine.names("start") == ["a", "b", "c"]
    assert engine.names("destroy") == [result.run_id]
    assert sorted(engine.names("remove")) == ["a", "b", "c"]
    assert isinstance(events[-1], RunFinished)
    assert engine.names("pull") == []


def test_failure_skips_the_rest_but_runs_when_status_failure() -> None:
    engine = FakeEngine({"build": FakeStep(exit_code=2)}, images=CACHED)
    executor, _ = make(engine)
    steps = serial(
        step("build"),
        step("test"),
        step("notify", run_policy=RunPolicy.ON_FAILURE),
    )
    result = executor.run(job(plan(*steps)))
    assert result.status is RunStatus.FAILURE
    assert statuses(result) == {
        "build": StepStatus.FAILURE,
        "test": StepStatus.SKIPPED,
        "notify": StepStatus.SUCCESS,
    }
    assert result.results[0].exit_code == 2


def test_failure_ignore_and_exit_78() -> None:
    engine = FakeEngine(
        {"lint": FakeStep(exit_code=1), "gate": FakeStep(exit_code=78)}, images=CACHED
    )
    executor, _ = make(engine)
    steps = serial(step("lint", failure_policy=FailurePolicy.IGNORE), step("gate"), step("deploy"))
    result = executor.run(job(plan(*steps)))
    assert result.status is RunStatus.SUCCESS
    assert statuses(result) == {
        "lint": StepStatus.FAILURE,
        "gate": StepStatus.SUCCESS,
        "deploy": StepStatus.SKIPPED,
    }


def test_parallel_limit_is_respected_and_reached() -> None:
    release = threading.Event()
    starts: list[str] = []

    def on_call(call: str, subject: str) -> None:
        if call == "start":
            starts.append(subject)
            if len(starts) == 2:
                release.set()

    script = {f"s{i}": FakeStep(gate=release) for i in range(5)}
    engine = FakeEngine(script, images=CACHED, on_call=on_call)
    executor, _ = make(engine)
    result = executor.run(
        job(plan(*(step(f"s{i}") for i in range(5))), parallel=2, limits=Limits(step_timeout=5))
    )
    assert result.status is RunStatus.SUCCESS
    assert engine.peak_running == 2


def test_independent_branches_run_at_the_same_time() -> None:
    both = threading.Event()
    starts: list[str] = []

    def on_call(call: str, subject: str) -> None:
        if call == "start":
            starts.append(subject)
            if {"left", "right"} <= set(starts):
                both.set()

    # Each branch waits until the other has started: serial execution would time out.
    script = {"left": FakeStep(gate=both), "right": FakeStep(gate=both)}
    engine = FakeEngine(script, images=CACHED, on_call=on_call)
    executor, _ = make(engine)
    steps = (step("left"), step("right"), step("join", depends_on=("left", "right")))
    result = executor.run(job(plan(*steps), parallel=4, limits=Limits(step_timeout=5)))
    assert statuses(result) == dict.fromkeys(("left", "right", "join"), StepStatus.SUCCESS)
    assert engine.names("start")[-1] == "join"


def test_step_timeout_kills_the_step() -> None:
    engine = FakeEngine({"slow": FakeStep(runs_until_stopped=True)}, images=CACHED)
    executor, _ = make(engine)
    result = executor.run(
        job(
            plan(*serial(step("slow"), step("after"))),
            limits=Limits(step_timeout=0.2, stop_grace=0),
        )
    )
    assert result.status is RunStatus.FAILURE
    slow = result.results[0]
    assert slow.status is StepStatus.KILLED
    assert slow.message is not None
    assert "time limit of 0.2s" in slow.message
    assert statuses(result)["after"] is StepStatus.SKIPPED


def test_run_timeout_kills_everything() -> None:
    engine = FakeEngine({"slow": FakeStep(runs_until_stopped=True)}, images=CACHED)
    executor, _ = make(engine)
    result = executor.run(
        job(
            plan(*serial(step("slow"), step("after"))), limits=Limits(run_timeout=0.2, stop_grace=0)
        )
    )
    assert result.status is RunStatus.KILLED
    assert result.message is not None
    assert "time limit" in result.message
    assert statuses(result) == {"slow": StepStatus.KILLED, "after": StepStatus.SKIPPED}


def test_cancel_stops_running_steps_skips_the_rest_and_destroys() -> None:
    engine = FakeEngine({"b": FakeStep(runs_until_stopped=True)}, images=CACHED)
    executor, _ = make(engine)

    def on_call(call: str, subject: str) -> None:
        if call == "start" and subject == "b":
            executor.cancel.set()

    engine._on_call = on_call
    result = executor.run(job(plan(*serial(step("a"), step("b"), step("c")))))
    assert result.status is RunStatus.KILLED
    assert statuses(result) == {
        "a": StepStatus.SUCCESS,
        "b": StepStatus.KILLED,
        "c": StepStatus.SKIPPED,
    }
    assert "b" in engine.names("stop")
    assert engine.names("destroy") == [result.run_id]


def test_the_end_is_told_before_the_cleanup_which_runs_even_if_the_hook_fails() -> None:
    engine = FakeEngine({"b": FakeStep(exit_code=1)}, images=CACHED)
    seen: list[tuple[RunStatus, list[str]]] = []
    events: list[object] = []

    class Sink:
        def emit(self, event: object) -> None:
            events.append(event)

    def on_finished(finished: RunFinished) -> None:
        # every step has ended and its result is in; nothing is removed yet
        seen.append((finished.status, engine.names("destroy")))
        assert isinstance(events[-1], RunFinished)
        raise RuntimeError("the host's report broke")

    executor = Executor(
        engine, sink=Sink(), guard=OpenGuard(), credentials=Creds, on_finished=on_finished
    )
    with pytest.raises(RuntimeError):
        executor.run(job(plan(*serial(step("a"), step("b"), step("c")))))
    assert seen == [(RunStatus.FAILURE, [])]
    assert len(engine.names("destroy")) == 1  # the cleanup ran all the same


def test_services_start_first_and_are_stopped_at_the_end() -> None:
    engine = FakeEngine({"db": FakeStep(runs_until_stopped=True)}, images=CACHED)
    executor, events = make(engine)
    steps = (*serial(step("migrate"), step("test")), service("db"))
    result = executor.run(job(plan(*steps)))
    assert result.status is RunStatus.SUCCESS
    assert engine.names("start") == ["db", "migrate", "test"]
    assert "db" in engine.names("stop")
    assert [r.name for r in result.results] == ["db", "migrate", "test"]
    assert result.results[0].detached
    started = [e for e in events if isinstance(e, StepStarted)]
    assert started[0].detached
    assert started[0].step == "db"


def test_detached_step_does_not_block_its_dependents() -> None:
    engine = FakeEngine({"server": FakeStep(runs_until_stopped=True)}, images=CACHED)
    executor, _ = make(engine)
    result = executor.run(job(plan(*serial(step("server", detach=True), step("client")))))
    assert statuses(result) == {"server": StepStatus.SUCCESS, "client": StepStatus.SUCCESS}
    assert "server" in engine.names("stop")


def test_service_that_fails_to_start_is_an_error_and_steps_are_skipped() -> None:
    engine = FakeEngine({"db": FakeStep(create_error="no such image")}, images=CACHED)
    executor, _ = make(engine)
    result = executor.run(job(plan(service("db"), step("test"))))
    assert result.status is RunStatus.FAILURE
    assert statuses(result) == {"db": StepStatus.ERROR, "test": StepStatus.SKIPPED}
    assert result.results[0].message == "no such image"


def test_pull_never_with_absent_image_fails_before_any_container() -> None:
    engine = FakeEngine(images=CACHED)
    executor, _ = make(engine)
    missing = "docker.io/ci-test/absent:1"
    steps = serial(step("a"), step("b", image=missing, pull=PullPolicy.NEVER))
    result = executor.run(job(plan(*steps)))
    assert result.status is RunStatus.FAILURE
    assert engine.names("setup") == []
    assert engine.names("create") == []
    assert statuses(result) == {"a": StepStatus.SKIPPED, "b": StepStatus.ERROR}
    message = result.results[1].message or ""
    assert "ci-test/absent:1" in message
    assert "'never'" in message


def test_pull_error_is_an_error_status_with_the_message() -> None:
    image = "127.0.0.1:5001/ci-test/remote-only:1"
    engine = FakeEngine(images=CACHED, pull_errors={image: f"cannot pull {image}: denied"})
    executor, _ = make(engine)
    result = executor.run(job(plan(*serial(step("a", image=image), step("b")))))
    assert statuses(result) == {"a": StepStatus.ERROR, "b": StepStatus.SKIPPED}
    assert result.results[0].message == f"cannot pull {image}: denied"
    assert engine.names("create") == []


def test_secrets_reach_the_environment_and_are_masked_in_output() -> None:
    output = (
        (LogStream.STDOUT, b"token is hunt"),
        (LogStream.STDOUT, b"er2 ok\nmulti: line-one\nline-two\n"),
        (LogStream.STDERR, b"caf\xc3"),
        (LogStream.STDERR, b"\xa9 hunter2"),
    )
    engine = FakeEngine({"a": FakeStep(output=output)}, images=CACHED)
    executor, events = make(engine)
    secrets = {"token": "hunter2", "cert": "line-one\nline-two", "unused": "zzz-unused"}
    result = executor.run(job(plan(step("a", secrets={"TOKEN": "token", "CERT": "cert"})), secrets))
    assert result.status is RunStatus.SUCCESS
    assert engine.envs["a"].values["TOKEN"] == "hunter2"
    lines = [line for e in events if isinstance(e, LogLines) for line in e.lines]
    assert lines == ["token is ******** ok", "multi: ********", "café ********"]
    assert "hunter2" not in repr(events)


def test_missing_secret_is_refused_before_anything_runs() -> None:
    engine = FakeEngine(images=CACHED)
    executor, _ = make(engine)
    with pytest.raises(SecretError, match="'token'"):
        executor.run(job(plan(step("a", secrets={"TOKEN": "token"}))))
    assert engine.calls == []


def test_skipped_step_does_not_need_its_secret() -> None:
    engine = FakeEngine(images=CACHED)
    executor, _ = make(engine)
    skipped = step("a", secrets={"TOKEN": "token"}, skip_reason="branch")
    result = executor.run(job(plan(skipped, step("b"))))
    assert statuses(result) == {"a": StepStatus.SKIPPED, "b": StepStatus.SUCCESS}


def test_registry_secrets_feed_the_credential_set_and_problems_are_notices() -> None:
    built: list[Creds] = []

    def factory(
        configs: Sequence[tuple[str, str]], sources: RegistrySources, build: Mapping[str, str]
    ) -> Creds:
        built.append(Creds(configs, sources, build))
        return built[-1]

    engine = FakeEngine(images=CACHED)
    events: list[object] = []

    class Sink:
        def emit(self, event: object) -> None:
            events.append(event)

    executor = Executor(engine, sink=Sink(), guard=OpenGuard(), credentials=factory)
    the_plan = plan(step("a"), registry_secrets=("dockerconfig", "absent"))
    executor.run(
        job(
            the_plan,
            {"dockerconfig": '{"auths": {}}'},
            registry=RegistrySources(config_files=(Path("/nope"),)),
        )
    )
    assert built[0].configs == [("dockerconfig", '{"auths": {}}')]
    notices = [e.message for e in events if isinstance(e, Notice)]
    assert any("'absent'" in n for n in notices)
    assert "runner config /nope is missing" in notices


def test_create_error_is_an_error_status() -> None:
    engine = FakeEngine({"a": FakeStep(create_error="bad mount")}, images=CACHED)
    executor, events = make(engine)
    result = executor.run(job(plan(step("a"))))
    assert statuses(result) == {"a": StepStatus.ERROR}
    finished = [e for e in events if isinstance(e, StepFinished)]
    assert finished[0].result.message == "bad mount"


def test_trigger_skip_runs_nothing() -> None:
    engine = FakeEngine(images=CACHED)
    executor, _ = make(engine)
    result = executor.run(job(plan(step("a"), skip_reason="trigger: branch")))
    assert result.status is RunStatus.SUCCESS
    assert engine.calls == []
    assert statuses(result) == {"a": StepStatus.SKIPPED}


def test_extra_env_is_overridden_by_the_plan() -> None:
    engine = FakeEngine(images=CACHED)
    executor, _ = make(engine)
    executor.run(
        job(
            plan(step("a", environment={"A": "from-plan"})),
            extra_env={"A": "from-file", "B": "from-file"},
        )
    )
    assert dict(engine.envs["a"].values) == {"A": "from-plan", "B": "from-file"}


def test_a_withheld_pull_secret_is_called_withheld_not_missing() -> None:
    engine = FakeEngine(images=CACHED)
    executor, events = make(engine)
    the_plan = plan(step("a"), registry_secrets=("dockerconfig", "absent"))
    secrets = {"dockerconfig": '{"auths": {}}'}
    executor.run(job(the_plan, secrets, build={"event": "pull_request"}))
    notices = [e.message for e in events if isinstance(e, Notice)]
    assert (
        "image_pull_secrets names secret 'dockerconfig', which is withheld from this pull "
        "request build: its logins are not used, and private images may fail to pull"
    ) in notices
    assert any("'absent', which was not given" in n for n in notices)
