"""The end of a stage is reported once, from its own thread: a slow server does not hold the
caller (the teardown) past its wait, and the report is still sent and waited for at close."""

from __future__ import annotations

import io
import threading

from conveyor.agent.client import RpcClient
from conveyor.agent.heartbeat import Heartbeat
from conveyor.agent.reporter import Reporter
from conveyor.agent.sink import AgentSink
from conveyor.agent.stage_end import StageEnding
from conveyor.rpc.reports import DoneReport, StageEnd, StepStatus
from tests.agent.stub_server import stub_server


def test_a_slow_report_lets_the_teardown_go_on_and_the_first_end_counts() -> None:
    sent: list[DoneReport] = []
    answer = threading.Event()

    def send(report: DoneReport) -> None:  # a server that has not answered yet
        answer.wait(60)
        sent.append(report)

    with stub_server() as (url, script):
        client = RpcClient(url, "s", retry_for=0.0, sleep=lambda _s: None)
        beat = Heartbeat(client, 7, "a1", lease_seconds=30, cancel=threading.Event())
        reporter = Reporter(client, 7, "a1", on_lost=beat.lose, interval=60, err=io.StringIO())
        sink = AgentSink(reporter, {"clone": 1, "test": 2}, notice=print, clock=lambda: 100.0)
        sink.started("clone")
        sink.ended("clone", StepStatus.SUCCESS, exit_code=0)
        ending = StageEnding(
            agent="a1",
            beat=beat,
            reporter=reporter,
            sink=sink,
            stopping=threading.Event(),
            send=send,
        )
        ending.report(StageEnd.FAILURE, "exit code 3", wait=0.0)
        assert sent == []  # the caller went on while the report waits for the server
        ending.report(StageEnd.SUCCESS, "", wait=0.0)  # a second end changes nothing
        answer.set()
        ending.close()
        (steps,) = script.bodies("/steps")  # the step states went before `done`
    (report,) = sent
    assert (report.status, report.error, ending.status) == (
        StageEnd.FAILURE,
        "exit code 3",
        StageEnd.FAILURE,
    )
    # only what the run reached: the server ends the `test` step by its rule
    assert [(state.number, state.status) for state in report.steps] == [(1, StepStatus.SUCCESS)]
    assert [state["number"] for state in steps["steps"]] == [1]


def test_a_stage_cancelled_by_the_server_ends_killed() -> None:
    sent: list[DoneReport] = []
    with stub_server() as (url, script):
        script.answer("/heartbeat", 200, {"cancel": True, "lease_seconds": 30})
        client = RpcClient(url, "s", retry_for=0.0, sleep=lambda _s: None)
        cancel = threading.Event()
        beat = Heartbeat(client, 7, "a1", lease_seconds=30, cancel=cancel, err=io.StringIO())
        beat.beat()
        reporter = Reporter(client, 7, "a1", on_lost=beat.lose, interval=60, err=io.StringIO())
        sink = AgentSink(reporter, {"clone": 1}, notice=print)
        ending = StageEnding(
            agent="a1",
            beat=beat,
            reporter=reporter,
            sink=sink,
            stopping=threading.Event(),
            send=sent.append,
        )
        ending.report(StageEnd.SUCCESS, "", wait=None)
        ending.close()
    assert cancel.is_set()
    assert [report.status for report in sent] == [StageEnd.KILLED]
