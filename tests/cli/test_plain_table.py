"""The summary drawn without rich is character for character the one rich draws, or is refused."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from conveyor.cli.output import summary
from conveyor.cli.output.plain_table import plain_table
from conveyor.cli.output.style import seconds
from conveyor.plan.model import StepKind
from conveyor.runner.dag import RunStatus, StepStatus
from conveyor.runner.events import RunFinished, StepResult

ASCII = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=50)
ANY_TEXT = st.one_of(ASCII, st.text(max_size=50))
RESULT = st.builds(
    StepResult,
    name=ANY_TEXT.filter(bool),
    kind=st.sampled_from(StepKind),
    status=st.sampled_from(StepStatus),
    exit_code=st.one_of(st.none(), st.integers(-1, 100_000)),
    seconds=st.floats(0, 10_000),
    message=st.one_of(st.none(), ANY_TEXT),
    detached=st.booleans(),
)
FINISHED = st.builds(
    RunFinished,
    run_id=st.just("abc"),
    status=st.sampled_from(RunStatus),
    results=st.lists(RESULT, max_size=6).map(tuple),
    seconds=st.floats(0, 10_000),
    message=st.one_of(st.none(), ANY_TEXT),
)


def by_rich(pipeline: str, finished: RunFinished) -> str:
    out = io.StringIO()
    rows = [summary._cells(result) for result in finished.results]
    words, style = summary.VERDICT[finished.status]
    verdict = f'pipeline "{pipeline}" {words} in {seconds(finished.seconds)}'
    lines = [verdict, finished.message] if finished.message else [verdict]
    summary._rich_summary(out, rows, lines, style, color=False, fancy=False, width=120)
    return out.getvalue()


@settings(max_examples=300, deadline=None)
@given(pipeline=ANY_TEXT, finished=FINISHED)
def test_the_log_summary_is_what_rich_draws(pipeline: str, finished: RunFinished) -> None:
    out = io.StringIO()
    summary.render_summary(out, pipeline, finished, color=False, fancy=False)
    assert out.getvalue() == by_rich(pipeline, finished)


FITTING = st.builds(
    StepResult,
    name=ASCII.filter(bool).map(lambda text: text[:25]),
    kind=st.sampled_from(StepKind),
    status=st.sampled_from(StepStatus),
    exit_code=st.one_of(st.none(), st.integers(-1, 100_000)),
    seconds=st.floats(0, 10_000),
    message=st.one_of(st.none(), ASCII),
    detached=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(pipeline=ASCII, results=st.lists(FITTING, max_size=6), message=ASCII)
def test_the_plain_drawing_is_used_and_matches_rich(
    pipeline: str, results: list[StepResult], message: str
) -> None:
    finished = RunFinished(
        run_id="abc", status=RunStatus.FAILURE, results=tuple(results), seconds=3, message=message
    )
    rows = [summary._cells(result) for result in results]
    assert plain_table(summary.COLUMNS, rows, 120) is not None
    out = io.StringIO()
    summary.render_summary(out, pipeline, finished, color=False, fancy=False)
    assert out.getvalue() == by_rich(pipeline, finished)


def test_a_typical_summary_is_drawn_without_rich() -> None:
    rows = [summary._cells(StepResult(name="build", kind=StepKind.STEP, status=StepStatus.SUCCESS))]
    assert plain_table(summary.COLUMNS, rows, 120) == (
        "step  | status  | duration | exit code | note\n"
        "------+---------+----------+-----------+-----\n"
        "build | success |     0.0s |           |     \n"
    )


def test_what_needs_rich_is_refused() -> None:
    columns = summary.COLUMNS
    assert plain_table(columns, [("x" * 41, "success", "1.0s", "0", "")], 120) is None
    assert plain_table(columns, [("bü", "success", "1.0s", "0", "")], 120) is None
    assert plain_table(columns, [("b\tc", "success", "1.0s", "0", "")], 120) is None
    assert plain_table(columns, [("x" * 40, "success", "1.0s", "0", "n" * 40)], 100) is None
