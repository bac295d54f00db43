"""`when` and `trigger`: static conditions decided at compile time, `status` kept for the run."""

from __future__ import annotations

import pytest

from conveyor.compiler.conditions import constraint_match, static_skip_reason, status_policy
from conveyor.compiler.context import BuildContext
from conveyor.plan.model import RunPolicy
from conveyor.source import Span
from conveyor.spec.model import Conditions, Constraint

SPAN = Span(file=".drone.yml", line=1, column=1)


ANY = Constraint()


def when(
    *,
    branch: Constraint = ANY,
    event: Constraint = ANY,
    ref: Constraint = ANY,
    repo: Constraint = ANY,
    instance: Constraint = ANY,
    target: Constraint = ANY,
    cron: Constraint = ANY,
    action: Constraint = ANY,
    status: Constraint = ANY,
) -> Conditions:
    return Conditions(
        span=SPAN,
        branch=branch,
        event=event,
        ref=ref,
        repo=repo,
        instance=instance,
        target=target,
        cron=cron,
        action=action,
        status=status,
    )


@pytest.mark.parametrize(
    ("constraint", "value", "expected"),
    [
        (Constraint(), "anything", True),
        (Constraint(include=("main",)), "main", True),
        (Constraint(include=("main",)), "dev", False),
        (Constraint(exclude=("main",)), "main", False),
        (Constraint(exclude=("main",)), "dev", True),
        (Constraint(include=("release/*",), exclude=("release/old",)), "release/old", False),
        (Constraint(include=("release/*",), exclude=("release/old",)), "release/new", True),
        (Constraint(include=("",)), "", True),
        (Constraint(include=("nightly",)), "", False),
    ],
)
def test_constraint_match(constraint: Constraint, value: str, expected: bool) -> None:
    assert constraint_match(constraint, value) is expected


@pytest.mark.parametrize(
    ("conditions", "ctx", "reason"),
    [
        (None, BuildContext(), None),
        (when(), BuildContext(), None),
        (when(branch=Constraint(include=("main",))), BuildContext(branch="main"), None),
        (
            when(branch=Constraint(include=("main", "release/*"))),
            BuildContext(branch="dev"),
            'branch "dev" is not in when.branch (main, release/*)',
        ),
        (
            when(event=Constraint(exclude=("pull_request",))),
            BuildContext(event="pull_request"),
            'event "pull_request" is excluded by when.event (pull_request)',
        ),
        (when(ref=Constraint(include=("refs/tags/*",))), BuildContext(ref="refs/tags/v1"), None),
        (
            when(repo=Constraint(include=("octocat/*",))),
            BuildContext(repo="local/workspace"),
            'repo "local/workspace" is not in when.repo (octocat/*)',
        ),
        (
            when(instance=Constraint(include=("ci.example.com",))),
            BuildContext(),
            'instance "localhost" is not in when.instance (ci.example.com)',
        ),
        (when(target=Constraint(include=("prod",))), BuildContext(target="prod"), None),
        (
            when(cron=Constraint(include=("nightly",))),
            BuildContext(),
            'cron "" is not in when.cron (nightly)',
        ),
        (when(action=Constraint(include=("opened",))), BuildContext(action="opened"), None),
        (when(status=Constraint(include=("failure",))), BuildContext(), None),  # not static
    ],
)
def test_static_skip_reason(
    conditions: Conditions | None, ctx: BuildContext, reason: str | None
) -> None:
    assert static_skip_reason(conditions, ctx, "when") == reason


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (None, RunPolicy.ON_SUCCESS),
        (Constraint(), RunPolicy.ON_SUCCESS),
        (Constraint(include=("success",)), RunPolicy.ON_SUCCESS),
        (Constraint(include=("failure",)), RunPolicy.ON_FAILURE),
        (Constraint(include=("success", "failure")), RunPolicy.ALWAYS),
        (Constraint(exclude=("success",)), RunPolicy.ON_FAILURE),
        (Constraint(exclude=("failure",)), RunPolicy.ON_SUCCESS),
        (Constraint(include=("changed",)), RunPolicy.ON_SUCCESS),  # names neither: the default
    ],
)
def test_status_policy(status: Constraint | None, expected: RunPolicy) -> None:
    conditions = None if status is None else when(status=status)
    assert status_policy(conditions) == expected
