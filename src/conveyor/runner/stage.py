"""The entry point that runs one stage: what `conveyor exec` and the agent call.

The job (runner/job.py) comes with the work; the engine, the image guard, the event sink, the
cancel flag and the end-of-run hook belong to the host that runs it.
"""

from __future__ import annotations

import threading

from conveyor.engine.contract import Engine
from conveyor.runner.events import EventSink, RunFinished
from conveyor.runner.executor import Executor, FinishedHook
from conveyor.runner.image_guard import ImageGuard
from conveyor.runner.job import StageJob


def run_stage(
    job: StageJob,
    *,
    engine: Engine,
    sink: EventSink,
    guard: ImageGuard,
    cancel: threading.Event | None = None,
    cancel_grace: float | None = None,
    on_finished: FinishedHook | None = None,
) -> RunFinished:
    """Run `job` on `engine` to the end, or until `cancel` is set; raises only for bad input.

    `cancel_grace`: seconds between SIGTERM and SIGKILL for the containers stopped by a cancel
    (0 kills them at once; None: the job's `limits.stop_grace`, as for time limits).

    The end comes before the cleanup: once every step has ended (and, after a cancel, its
    container is dead), the sink gets `RunFinished` and then `on_finished` is called with it;
    only then are the run's containers, network and volumes removed, and `run_stage` returns
    when they are. The cleanup runs even if `on_finished` raises."""
    executor = Executor(
        engine,
        sink=sink,
        guard=guard,
        cancel=cancel,
        cancel_grace=cancel_grace,
        on_finished=on_finished,
    )
    return executor.run(job)
