"""Messages that used to mislead (issue 8): a trigger-skipped pipeline has its name and is said
skipped (the withheld pull-request secret message is tested with the executor)."""

from __future__ import annotations

import io
from dataclasses import replace

from conveyor.cache.guard import OpenGuard
from conveyor.cli.output.console_sink import ConsoleSink
from conveyor.engine.fake import FakeEngine
from conveyor.runner.events import Event, Recorder, RunStarted
from conveyor.runner.executor import Executor
from conveyor.runner.job import StageJob
from tests.runner.builders import CACHED, plan, step


class Both:
    """Records events and renders them on a console, as `conveyor exec` does."""

    def __init__(self) -> None:
        self.recorder = Recorder()
        self.out = io.StringIO()
        self.console = ConsoleSink(self.out, io.StringIO(), color=False, live=False)

    def emit(self, event: Event) -> None:
        self.recorder.emit(event)
        self.console.emit(event)


def test_a_trigger_skipped_pipeline_is_named_and_said_skipped() -> None:
    sink = Both()
    skipped = replace(plan(step("a")), pipeline="only-main", skip_reason="branch is not main")
    Executor(FakeEngine(images=CACHED), sink=sink, guard=OpenGuard()).run(StageJob(plan=skipped))
    [started] = [e for e in sink.recorder.events if isinstance(e, RunStarted)]
    assert started.pipeline == "only-main"
    text = sink.out.getvalue()
    assert 'pipeline "only-main" was skipped' in text, text
    assert 'pipeline ""' not in text
