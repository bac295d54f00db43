"""Messages that used to mislead (issue 8): a trigger-skipped pipeline has its name, and an
image_pull_secrets secret withheld from a pull request is called withheld, not "not given"."""

from __future__ import annotations

import io
from dataclasses import replace

from conveyor.cache.guard import OpenGuard
from conveyor.cli.output.console_sink import ConsoleSink
from conveyor.engine.fake import FakeEngine
from conveyor.runner.events import Event, Notice, Recorder, RunStarted
from conveyor.runner.executor import Executor
from tests.runner.builders import CACHED, job, plan, step


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
    Executor(FakeEngine(images=CACHED), sink=sink, guard=OpenGuard()).run(job(skipped))
    [started] = [e for e in sink.recorder.events if isinstance(e, RunStarted)]
    assert started.pipeline == "only-main"
    text = sink.out.getvalue()
    assert 'pipeline "only-main" was skipped' in text, text
    assert 'pipeline ""' not in text


def test_a_withheld_pull_secret_is_called_withheld() -> None:
    sink = Both()
    private = replace(plan(step("a")), registry_secrets=("dockerconfig", "absent"))
    pull_request = job(private, {"dockerconfig": "{}"}, build={"event": "pull_request"})
    Executor(FakeEngine(images=CACHED), sink=sink, guard=OpenGuard()).run(pull_request)
    notices = [e.message for e in sink.recorder.events if isinstance(e, Notice)]
    assert notices == [
        "image_pull_secrets names secret 'dockerconfig', which is withheld from this pull "
        "request build: its logins are not used, and private images may fail to pull",
        "image_pull_secrets names secret 'absent', which was not given: private images may "
        "fail to pull",
    ]
