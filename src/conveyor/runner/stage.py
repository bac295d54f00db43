"""The entry point that runs one stage: what `conveyor exec` and the agent call.

The job (runner/job.py) comes with the work; the engine, the image guard, the event sink and
the cancel flag belong to the host that runs it.
"""

from __future__ import annotations

import threading

from conveyor.engine.contract import Engine
from conveyor.runner.events import EventSink, RunFinished
from conveyor.runner.executor import Executor
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
) -> RunFinished:
    """Run `job` on `engine` to the end, or until `cancel` is set; raises only for bad input.

    `cancel_grace`: seconds between SIGTERM and SIGKILL for the containers stopped by a cancel
    (0 kills them at once; None: the job's `limits.stop_grace`, as for time limits)."""
    executor = Executor(engine, sink=sink, guard=guard, cancel=cancel, cancel_grace=cancel_grace)
    return executor.run(job)
