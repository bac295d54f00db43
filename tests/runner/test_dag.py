"""The scheduling state machine: scenarios, and Hypothesis properties over random DAGs."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conveyor.plan.model import FailurePolicy, RunPolicy
from conveyor.runner.dag import (
    FINAL,
    Node,
    RunStatus,
    Schedule,
    StepStatus,
    status_of_exit,
)


def drive(
    nodes: list[Node], exits: dict[str, int], *, parallel: int = 8
) -> tuple[Schedule, list[str]]:
    """Run the schedule to the end, finishing started steps in start order."""
    schedule = Schedule(nodes, parallel=parallel)
    started: list[str] = []
    queue: list[str] = []
    for _ in range(10 * len(nodes) + 10):
        decisions = schedule.advance()
        started.extend(decisions.start)
        queue.extend(decisions.start)
        if schedule.done:
            break
        name = queue.pop(0)
        node = next(n for n in nodes if n.name == name)
        if node.detach:
            schedule.detached(name)
            continue
        code = exits.get(name, 0)
        schedule.finish(name, status_of_exit(code), code)
    return schedule, started


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (0, StepStatus.SUCCESS),
        (78, StepStatus.SUCCESS),
        (1, StepStatus.FAILURE),
        (137, StepStatus.FAILURE),
    ],
)
def test_status_of_exit(code: int, status: StepStatus) -> None:
    assert status_of_exit(code) is status


def serial(*names: str, **extra: Node) -> list[Node]:
    nodes: list[Node] = []
    for index, name in enumerate(names):
        deps = (names[index - 1],) if index else ()
        nodes.append(extra.get(name) or Node(name=name, depends_on=deps))
    return nodes


def test_serial_pipeline_runs_in_order() -> None:
    schedule, started = drive(serial("a", "b", "c"), {})
    assert started == ["a", "b", "c"]
    assert schedule.outcome() is RunStatus.SUCCESS


def test_failure_skips_later_steps_but_runs_status_failure_steps() -> None:
    nodes = [
        Node(name="build"),
        Node(name="test", depends_on=("build",)),
        Node(name="notify", depends_on=("test",), run_policy=RunPolicy.ON_FAILURE),
        Node(name="always", depends_on=("notify",), run_policy=RunPolicy.ALWAYS),
    ]
    schedule, started = drive(nodes, {"build": 2})
    assert started == ["build", "notify", "always"]
    assert schedule.status("test") is StepStatus.SKIPPED
    assert schedule.outcome() is RunStatus.FAILURE


def test_status_failure_step_is_skipped_on_success() -> None:
    nodes = [
        Node(name="build"),
        Node(name="notify", depends_on=("build",), run_policy=RunPolicy.ON_FAILURE),
    ]
    schedule, started = drive(nodes, {})
    assert started == ["build"]
    assert schedule.status("notify") is StepStatus.SKIPPED


def test_failure_ignore_does_not_fail_the_pipeline() -> None:
    nodes = [
        Node(name="lint", failure_policy=FailurePolicy.IGNORE),
        Node(name="test", depends_on=("lint",)),
    ]
    schedule, started = drive(nodes, {"lint": 1})
    assert started == ["lint", "test"]
    assert schedule.status("lint") is StepStatus.FAILURE
    assert schedule.outcome() is RunStatus.SUCCESS


def test_exit_78_skips_every_step_not_started() -> None:
    nodes = [
        *serial("a", "b", "c"),
        Node(name="late", run_policy=RunPolicy.ALWAYS, depends_on=("c",)),
    ]
    schedule, started = drive(nodes, {"a": 78})
    assert started == ["a"]
    assert [schedule.status(n) for n in ("b", "c", "late")] == [StepStatus.SKIPPED] * 3
    assert schedule.outcome() is RunStatus.SUCCESS


def test_static_skip_lets_dependents_run() -> None:
    nodes = [Node(name="a", skip_reason="branch does not match"), Node(name="b", depends_on=("a",))]
    schedule, started = drive(nodes, {})
    assert started == ["b"]
    assert schedule.status("a") is StepStatus.SKIPPED


def test_parallel_limit_holds_ready_steps_back() -> None:
    nodes = [Node(name=f"s{i}") for i in range(5)]
    schedule = Schedule(nodes, parallel=2)
    assert schedule.advance().start == ("s0", "s1")
    assert schedule.advance().start == ()
    schedule.finish("s0", StepStatus.SUCCESS, 0)
    assert schedule.advance().start == ("s2",)


def test_detached_step_frees_its_slot_and_unblocks_dependents() -> None:
    nodes = [Node(name="db", detach=True), Node(name="test", depends_on=("db",))]
    schedule = Schedule(nodes, parallel=1)
    assert schedule.advance().start == ("db",)
    assert schedule.advance().start == ()
    schedule.detached("db")
    assert schedule.advance().start == ("test",)
    schedule.finish("test", StepStatus.SUCCESS, 0)
    assert schedule.done
    assert schedule.background == ("db",)


def test_cancel_skips_pending_and_returns_running() -> None:
    nodes = [Node(name="a"), Node(name="b"), Node(name="c", depends_on=("a",))]
    schedule = Schedule(nodes, parallel=1)
    schedule.advance()
    assert schedule.cancel() == ("a",)
    decisions = schedule.advance()
    assert {name for name, _ in decisions.skipped} == {"b", "c"}
    schedule.finish("a", StepStatus.KILLED)
    assert schedule.done
    assert schedule.outcome() is RunStatus.KILLED


def test_cycle_is_skipped_not_hung() -> None:
    nodes = [Node(name="a", depends_on=("b",)), Node(name="b", depends_on=("a",))]
    schedule, started = drive(nodes, {})
    assert started == []
    assert schedule.done


def test_unknown_dependency_is_ignored() -> None:
    _, started = drive([Node(name="a", depends_on=("ghost",))], {})
    assert started == ["a"]


def test_finishing_a_step_twice_is_refused() -> None:
    schedule = Schedule([Node(name="a")], parallel=1)
    schedule.advance()
    schedule.finish("a", StepStatus.SUCCESS, 0)
    with pytest.raises(ValueError, match="not running"):
        schedule.finish("a", StepStatus.SUCCESS, 0)


@dataclass(frozen=True)
class Case:
    nodes: list[Node]
    exits: dict[str, int]
    parallel: int


@st.composite
def cases(draw: st.DrawFn) -> Case:
    count = draw(st.integers(min_value=1, max_value=9))
    names = [f"s{i}" for i in range(count)]
    nodes: list[Node] = []
    for index, name in enumerate(names):
        # Edges only to earlier steps: a DAG (cycles are lint errors and tested above).
        deps = draw(st.lists(st.sampled_from(names[:index]), unique=True)) if index else []
        when = draw(st.sampled_from(list(RunPolicy)))
        nodes.append(
            Node(
                name=name,
                depends_on=tuple(deps),
                run_policy=when,
                skip_reason=draw(st.sampled_from([None, None, None, "when: branch"])),
                failure_policy=draw(st.sampled_from(list(FailurePolicy))),
                detach=draw(st.sampled_from([False, False, False, True])),
            )
        )
    exits = {name: draw(st.sampled_from([0, 0, 0, 1, 78])) for name in names}
    return Case(nodes=nodes, exits=exits, parallel=draw(st.integers(min_value=1, max_value=4)))


class Observer:
    """Drives a schedule like the executor and checks invariants at every step."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.schedule = Schedule(case.nodes, parallel=case.parallel)
        self.by_name = {node.name: node for node in case.nodes}
        self.started: list[str] = []
        self.holding: list[str] = []

    def run(self, pick: st.DataObject) -> None:
        for _ in range(50):
            decisions = self.schedule.advance()
            for name in decisions.start:
                self.check_ready(name)
                self.started.append(name)
                self.holding.append(name)
            assert len(self.schedule.running) <= self.case.parallel
            if self.schedule.done:
                return
            name = pick.draw(st.sampled_from(self.holding))
            self.holding.remove(name)
            if self.by_name[name].detach:
                self.schedule.detached(name)
            else:
                code = self.case.exits[name]
                self.schedule.finish(name, status_of_exit(code), code)
        pytest.fail("the schedule did not finish")

    def check_ready(self, name: str) -> None:
        for dep in self.by_name[name].depends_on:
            status = self.schedule.status(dep)
            assert status in FINAL or dep in self.schedule.background, (name, dep, status)


@settings(max_examples=300, deadline=None)
@given(case=cases(), pick=st.data())
def test_random_dags_respect_dependencies_limits_and_finish(
    case: Case, pick: st.DataObject
) -> None:
    observer = Observer(case)
    observer.run(pick)
    schedule = observer.schedule
    assert len(observer.started) == len(set(observer.started))
    for node in case.nodes:
        status = schedule.status(node.name)
        assert status in FINAL or node.name in schedule.background
        if node.skip_reason is not None:
            assert status is StepStatus.SKIPPED
    halted = any(
        case.exits[n] == 78 and n in observer.started and not observer.by_name[n].detach
        for n in observer.started
    )
    if not halted and not schedule.failing:
        # Nothing failed and nothing halted: every step meant for success ran.
        for node in case.nodes:
            if node.skip_reason is None and node.run_policy.runs(failing=False):
                assert node.name in observer.started
    ignored_only = all(
        observer.by_name[n].failure_policy is FailurePolicy.IGNORE
        or schedule.status(n) not in (StepStatus.FAILURE,)
        for n in observer.started
    )
    assert (schedule.outcome() is RunStatus.SUCCESS) == ignored_only
