"""What `conveyor exec` shows: step prefixes, colours only when asked, pull lines, the summary."""

from __future__ import annotations

import io

from conveyor.cli.output.console_sink import ConsoleSink
from conveyor.cli.output.pull_display import pull_line
from conveyor.cli.output.style import seconds, short_digest, short_image
from conveyor.engine.contract import LogStream, PullProgress
from conveyor.images.policy import PullPolicy
from conveyor.plan.model import StepKind
from conveyor.runner.dag import RunStatus, StepStatus
from conveyor.runner.events import (
    Event,
    ImageCached,
    LogLines,
    Notice,
    PullFinished,
    PullProgressed,
    PullStarted,
    RunFinished,
    RunStarted,
    StepFinished,
    StepResult,
    StepStarted,
)

DIGEST = "sha256:" + "ab" * 32
RESULTS = (
    StepResult(
        name="build", kind=StepKind.STEP, status=StepStatus.SUCCESS, exit_code=0, seconds=1.25
    ),
    StepResult(name="test", kind=StepKind.STEP, status=StepStatus.FAILURE, exit_code=2, seconds=61),
    StepResult(
        name="deploy",
        kind=StepKind.STEP,
        status=StepStatus.SKIPPED,
        message="an earlier step failed",
    ),
)
EVENTS: list[Event] = [
    RunStarted(run_id="abc", pipeline="default", steps=("build", "test", "deploy")),
    ImageCached(step="build", image="docker.io/ci-test/busybox:1", policy=PullPolicy.DEFAULT),
    StepStarted(step="build", image="docker.io/ci-test/busybox:1", kind=StepKind.STEP),
    LogLines(step="build", stream=LogStream.STDOUT, lines=("+ make", "ok")),
    StepFinished(result=RESULTS[0]),
    PullStarted(step="test", image="127.0.0.1:5001/ci-test/remote-only:1"),
    PullProgressed(
        step="test",
        image="127.0.0.1:5001/ci-test/remote-only:1",
        progress=PullProgress(layer="abc123", status="Downloading", current=10, total=100),
    ),
    PullFinished(
        step="test",
        image="127.0.0.1:5001/ci-test/remote-only:1",
        digest=DIGEST,
        seconds=0.42,
        credential_source="secret dockerconfig",
    ),
    LogLines(step="test", stream=LogStream.STDERR, lines=("boom",)),
    StepFinished(result=RESULTS[1]),
    StepFinished(result=RESULTS[2]),
    Notice(message="cleanup: something"),
    RunFinished(run_id="abc", status=RunStatus.FAILURE, results=RESULTS, seconds=63.0),
]


def render(*, color: bool, live: bool = False) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    sink = ConsoleSink(out, err, color=color, live=live)
    for event in EVENTS:
        sink.emit(event)
    return out.getvalue(), err.getvalue()


def test_plain_output_is_prefixed_and_has_no_escape_codes() -> None:
    out, err = render(color=False)
    assert "\x1b[" not in out
    lines = out.splitlines()
    assert "build  | + make" in lines
    assert "build  | ok" in lines
    assert "test   | boom" in lines
    assert (
        "test   | pulling 127.0.0.1:5001/ci-test/remote-only:1 ... done in 0.4s "
        "(sha256:abababababab...), credentials from secret dockerconfig"
    ) in lines
    assert "deploy | -- skipped: an earlier step failed" in lines
    assert "test   | -- failure in 1m01s (exit code 2)" in lines
    assert err == "conveyor: warning: cleanup: something\n"


def test_summary_table_lists_every_step() -> None:
    out, _ = render(color=False)
    table = out[out.index("step ") :]
    rows = [line.split("|") for line in table.splitlines() if "|" in line]
    cells = [[cell.strip() for cell in row] for row in rows]
    assert cells[0] == ["step", "status", "duration", "exit code", "note"]
    assert cells[1] == ["build", "success", "1.2s", "0", ""]
    assert cells[2] == ["test", "failure", "1m01s", "2", ""]
    assert cells[3] == ["deploy", "skipped", "-", "", "an earlier step failed"]
    assert 'pipeline "default" failed in 1m03s' in table


def test_colour_when_asked() -> None:
    out, _ = render(color=True)
    assert "\x1b[36mbuild \x1b[0m | ok" in out  # first step: cyan
    assert "\x1b[35mtest  \x1b[0m | boom" in out  # second step: magenta


def test_live_mode_still_prints_the_pull_line() -> None:
    out, _ = render(color=False, live=True)
    assert "pulling 127.0.0.1:5001/ci-test/remote-only:1 ... done" in out


def test_short_forms() -> None:
    assert short_image("docker.io/library/golang:1.12") == "golang:1.12"
    assert short_image("docker.io/ci-test/busybox:1") == "ci-test/busybox:1"
    assert short_image("127.0.0.1:5001/x:1") == "127.0.0.1:5001/x:1"
    assert short_digest(None) == ""
    assert short_digest(DIGEST) == "sha256:abababababab..."
    assert [seconds(v) for v in (0.04, 9.96, 12.4, 185)] == ["0.0s", "10.0s", "12s", "3m05s"]
    finished = PullFinished(step="s", image="docker.io/library/golang:1", digest=None, seconds=1)
    assert pull_line(finished) == "pulling golang:1 ... done in 1.0s"


def test_long_run_message_and_verdict_are_not_cut_into_lines_in_a_log() -> None:
    message = "no container was started: " + "; ".join(f"image {n} is missing" for n in range(20))
    out, err = io.StringIO(), io.StringIO()
    sink = ConsoleSink(out, err, color=False, live=False)
    long_name = "p" * 120
    sink.emit(RunStarted(run_id="abc", pipeline=long_name, steps=("build",)))
    finished = RunFinished(
        run_id="abc", status=RunStatus.FAILURE, results=RESULTS[:1], seconds=1, message=message
    )
    sink.emit(finished)
    lines = out.getvalue().splitlines()
    assert message in lines
    assert f'pipeline "{long_name}" failed in 1.0s' in lines


def test_every_line_of_a_multi_line_step_message_carries_the_step_prefix() -> None:
    out, err = io.StringIO(), io.StringIO()
    sink = ConsoleSink(out, err, color=False, live=False, summary=False)
    sink.emit(RunStarted(run_id="abc", pipeline="default", steps=("build", "test")))
    error = "cannot pull x:1 from example.test: not found\n  hint: check the image name"
    result = StepResult(name="test", kind=StepKind.STEP, status=StepStatus.ERROR, message=error)
    sink.emit(StepFinished(result=result))
    lines = out.getvalue().splitlines()
    assert lines[1:] == [
        "test  | -- error in 0.0s: cannot pull x:1 from example.test: not found",
        "test  |   hint: check the image name",
    ]


def test_a_very_long_step_name_does_not_squeeze_the_other_columns() -> None:
    long_name = "very-long-step-name-" + "x" * 80
    results = (
        StepResult(name=long_name, kind=StepKind.SERVICE, status=StepStatus.SUCCESS, seconds=1),
        StepResult(name="b", kind=StepKind.STEP, status=StepStatus.FAILURE, exit_code=2, seconds=2),
    )
    out, err = io.StringIO(), io.StringIO()
    sink = ConsoleSink(out, err, color=False, live=False)
    sink.emit(RunStarted(run_id="abc", pipeline="default", steps=(long_name, "b")))
    sink.emit(RunFinished(run_id="abc", status=RunStatus.FAILURE, results=results, seconds=3))
    rows = [line.split("|") for line in out.getvalue().splitlines() if "|" in line]
    cells = [[cell.strip() for cell in row] for row in rows]
    assert cells[0] == ["step", "status", "duration", "exit code", "note"]
    assert cells[1][0].startswith("very-long-step-name-")
    assert cells[1][1:4] == ["success", "1.0s", ""]
    assert cells[2] == ["b", "failure", "2.0s", "2", ""]


def test_terminal_and_colour_decisions() -> None:
    import io

    from conveyor.cli.console import is_terminal, use_color

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert is_terminal(Tty(), {"TERM": "xterm"})
    assert not is_terminal(Tty(), {"TERM": "dumb"})
    assert not is_terminal(io.StringIO(), {"TERM": "xterm"})
    assert use_color(Tty(), {"TERM": "xterm"})
    assert not use_color(Tty(), {"TERM": "xterm", "NO_COLOR": "1"})
    assert use_color(io.StringIO(), {"FORCE_COLOR": "1"})
    assert not use_color(io.StringIO(), {})
