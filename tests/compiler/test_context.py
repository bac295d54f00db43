"""The build context as Drone's extensions see it (what a stage job carries for the plugin)."""

from __future__ import annotations

from conveyor.compiler.context import BuildContext, build_values


def test_build_values_name_the_build_the_plan_is_compiled_for() -> None:
    context = BuildContext(
        repo="octo/app", branch="feature-x", event="pull_request", ref="refs/pull/7/head",
        commit="c" * 40, build_number=7, trusted=True, created=1700000000, action="opened",
    )  # fmt: skip
    assert build_values(context) == {
        "repo": "octo/app",
        "branch": "feature-x",
        "event": "pull_request",
        "ref": "refs/pull/7/head",
        "commit": "c" * 40,
        "build_number": "7",
        "trusted": "true",
        "created": "1700000000",
        "action": "opened",
    }


def test_empty_optional_fields_are_left_out() -> None:
    values = build_values(BuildContext())
    assert values["trusted"] == "false"
    assert not {"action", "target", "cron"} & set(values)
