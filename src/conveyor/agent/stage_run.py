"""Runs one assigned stage: clone step, then the runner's `run_stage`, reported to the server.

The job comes from the assignment (runner/job_codec.py) with the checkout as its workspace
source; the engine and the image guard are the agent's, as `conveyor exec` has its own. The
heartbeat's cancel flag is the run's cancel flag. The stage always ends with a `done` report
(unless the server said it is not this agent's any more, agent/stage_end.py), sent as soon as
its steps have ended (run_stage's `on_finished`), before its containers, network, volumes and
temporary directory are removed; the stage holds its worker until all of them are.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from conveyor.agent.checkout import checkout
from conveyor.agent.client import RpcClient, RpcRefusedError, ServerUnreachableError
from conveyor.agent.heartbeat import Heartbeat
from conveyor.agent.reporter import Reporter
from conveyor.agent.sink import AgentSink
from conveyor.agent.stage_end import StageEnding
from conveyor.engine.contract import Engine
from conveyor.errors import ConveyorError
from conveyor.rpc.assignment import Assignment
from conveyor.rpc.reports import DoneReport, StageEnd, StepStatus
from conveyor.runner.dag import RunStatus
from conveyor.runner.events import RunFinished
from conveyor.runner.image_guard import ImageGuard
from conveyor.runner.job import StageJob
from conveyor.runner.job_codec import job_from_data
from conveyor.runner.stage import run_stage
from conveyor.secrets.masking import Masker

CLONE = "clone"
CANCEL_GRACE = 0.0
"""A cancelled stage's containers are killed at once, not asked to stop and waited for."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StageHost:
    """What the agent lends every stage: its name, the server, the engine and the guard."""

    agent: str
    client: RpcClient
    engine: Engine
    guard: ImageGuard
    work_dir: Path | None = None
    """Where checkouts go (default: the system's temporary directory)."""
    err: TextIO = sys.stderr


def run_assignment(host: StageHost, assignment: Assignment, stop: threading.Event) -> StageEnd:
    """Run `assignment` to its end and report it; `stop` set means the agent is shutting down."""
    cancel = threading.Event()
    beat = Heartbeat(
        host.client,
        assignment.stage_id,
        host.agent,
        lease_seconds=assignment.lease_seconds,
        cancel=cancel,
        err=host.err,
    )
    reporter = Reporter(
        host.client, assignment.stage_id, host.agent, on_lost=beat.lose, cancel=cancel, err=host.err
    )
    numbers = {step.name: step.number for step in assignment.steps}
    sink = AgentSink(reporter, numbers, notice=lambda text: _say(host, assignment, text))
    ending = StageEnding(
        agent=host.agent,
        beat=beat,
        reporter=reporter,
        sink=sink,
        stopping=stop,
        send=lambda report: _done(host, assignment, report),
    )
    relay = threading.Thread(target=_relay, args=(stop, cancel), daemon=True)
    beat.start()
    reporter.start()
    relay.start()
    workspace = Path(
        tempfile.mkdtemp(prefix=f"conveyor-stage-{assignment.stage_id}-", dir=host.work_dir)
    )
    try:
        status, error = _run(host, assignment, sink, workspace, cancel=cancel, ending=ending)
        ending.report(status, error)  # without a run (clone failed, bad job): reported now
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
        ending.close()
        cancel.set()  # ends the relay thread
    return ending.status or status


def _run(
    host: StageHost,
    assignment: Assignment,
    sink: AgentSink,
    workspace: Path,
    *,
    cancel: threading.Event,
    ending: StageEnding,
) -> tuple[StageEnd, str]:
    """Clone, then run the job: the stage's end and its error sentence."""
    try:
        job = job_from_data(assignment.job)
    except ConveyorError as exc:
        return StageEnd.ERROR, str(exc)
    masker = Masker(value for value in job.secrets.values() if value)
    if not assignment.clone.disable and not _clone(assignment, sink, workspace, masker, cancel):
        return (StageEnd.KILLED if cancel.is_set() else StageEnd.FAILURE), ""
    if cancel.is_set():
        return StageEnd.KILLED, ""
    job = replace(job, workspace_source=workspace)
    return _execute(host, job, sink, cancel, ending)


def _clone(
    assignment: Assignment, sink: AgentSink, into: Path, masker: Masker, cancel: threading.Event
) -> bool:
    """The `clone` step (git is killed when `cancel` is set); whether the commit is checked
    out."""
    sink.started(CLONE)
    result = checkout(
        assignment.repo.git_http_url,
        assignment.build,
        assignment.clone,
        into,
        lambda line: sink.lines(CLONE, (masker.mask(line) if masker else line,)),
        cancel=cancel,
    )
    status = StepStatus.SUCCESS if result.ok else StepStatus.FAILURE
    if result.cancelled:
        status = StepStatus.KILLED
    sink.ended(CLONE, status, exit_code=result.exit_code, error=result.error)
    return result.ok


def _execute(
    host: StageHost, job: StageJob, sink: AgentSink, cancel: threading.Event, ending: StageEnding
) -> tuple[StageEnd, str]:
    """Run the job; its end is reported as soon as the steps have ended, before the cleanup."""
    try:
        finished = run_stage(
            job,
            engine=host.engine,
            sink=sink,
            guard=host.guard,
            cancel=cancel,
            cancel_grace=CANCEL_GRACE,
            on_finished=lambda finished: ending.report(*_end_of(finished)),
        )
    except ConveyorError as exc:
        return StageEnd.ERROR, str(exc)
    return _end_of(finished)


def _end_of(finished: RunFinished) -> tuple[StageEnd, str]:
    """The stage's end and error sentence for the runner's end of the run."""
    ends = {
        RunStatus.SUCCESS: StageEnd.SUCCESS,
        RunStatus.FAILURE: StageEnd.FAILURE,
        RunStatus.KILLED: StageEnd.KILLED,
    }
    return ends[finished.status], finished.message or ""


def _done(host: StageHost, assignment: Assignment, report: DoneReport) -> None:
    try:
        host.client.done(assignment.stage_id, report)
    except (RpcRefusedError, ServerUnreachableError) as exc:
        _say(host, assignment, f"could not report the end of the stage: {exc}")


def _relay(stop: threading.Event, cancel: threading.Event) -> None:
    """The agent's shutdown cancels the stage too."""
    while not cancel.is_set():
        if stop.wait(0.5):
            cancel.set()


def _say(host: StageHost, assignment: Assignment, text: str) -> None:
    stamp = time.strftime("%H:%M:%S")
    host.err.write(f"conveyor agent {stamp}: stage {assignment.stage_id}: {text}\n")
