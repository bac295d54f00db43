"""What an agent reports about a stage it runs: heartbeats, step states, log lines, pull events,
and the stage's end; and the server's answers to them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from json.encoder import encode_basestring_ascii
from typing import cast

from conveyor.rpc.fields import Fields, ProtocolError


class StepStatus(StrEnum):
    """A step's state as an agent reports it (Drone's words)."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCESS = "success"
    FAILURE = "failure"
    KILLED = "killed"
    ERROR = "error"
    SKIPPED = "skipped"

    @property
    def ended(self) -> bool:
        """Whether a step in this state has ended (no line of it comes any more)."""
        return self not in (StepStatus.PENDING, StepStatus.RUNNING)


class StageEnd(StrEnum):
    """The end of a stage as its agent reports it."""

    SUCCESS = "success"
    FAILURE = "failure"
    KILLED = "killed"
    ERROR = "error"


def agent_name(data: object, where: str, keys: frozenset[str]) -> tuple[str, Fields]:
    """The `agent` name every report carries, and the report's fields."""
    fields = Fields(data, where, keys | {"agent"})
    name = fields.text("agent")
    if not name.strip():
        raise ProtocolError(f"{fields.path('agent')} must not be empty.")
    return name, fields


@dataclass(frozen=True, slots=True, kw_only=True)
class Heartbeat:
    """POST /stages/{id}/heartbeat: the agent still runs the stage. The server may hold the
    answer up to `wait` seconds, and answers as soon as the stage is cancelled."""

    agent: str
    wait: float = 0.0

    def to_data(self) -> dict[str, object]:
        return {"agent": self.agent, "wait": self.wait}

    @staticmethod
    def from_data(data: object) -> Heartbeat:
        name, fields = agent_name(data, "heartbeat", frozenset({"wait"}))
        wait = fields.number("wait", 0.0)
        if wait < 0:
            raise ProtocolError(f"{fields.path('wait')} must not be negative.")
        return Heartbeat(agent=name, wait=wait)


@dataclass(frozen=True, slots=True, kw_only=True)
class HeartbeatReply:
    """The heartbeat's answer: stop the stage (`cancel`), and the lease now granted."""

    cancel: bool
    lease_seconds: float

    def to_data(self) -> dict[str, object]:
        return {"cancel": self.cancel, "lease_seconds": self.lease_seconds}

    @staticmethod
    def from_data(data: object) -> HeartbeatReply:
        fields = Fields(data, "heartbeat reply", frozenset({"cancel", "lease_seconds"}))
        return HeartbeatReply(
            cancel=fields.boolean("cancel"), lease_seconds=fields.number("lease_seconds")
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class StepState:
    """One step's state: times in Unix seconds, `error` a one-sentence reason or empty."""

    number: int
    status: StepStatus
    started: int | None = None
    finished: int | None = None
    exit_code: int | None = None
    error: str = ""

    def to_data(self) -> dict[str, object]:
        return {
            "number": self.number,
            "status": self.status.value,
            "started": self.started,
            "finished": self.finished,
            "exit_code": self.exit_code,
            "error": self.error,
        }

    @staticmethod
    def from_data(data: object, where: str) -> StepState:
        keys = frozenset({"number", "status", "started", "finished", "exit_code", "error"})
        fields = Fields(data, where, keys)
        return StepState(
            number=fields.integer("number"),
            status=fields.word("status", StepStatus),
            started=fields.optional_integer("started"),
            finished=fields.optional_integer("finished"),
            exit_code=fields.optional_integer("exit_code"),
            error=fields.optional_text("error") or "",
        )


def _steps(fields: Fields, key: str) -> tuple[StepState, ...]:
    items = fields.items(key, [])
    return tuple(
        StepState.from_data(item, f"{fields.path(key)}[{i}]") for i, item in enumerate(items)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class StepsReport:
    """POST /stages/{id}/steps: the steps whose state changed."""

    agent: str
    steps: tuple[StepState, ...]

    def to_data(self) -> dict[str, object]:
        return {"agent": self.agent, "steps": [step.to_data() for step in self.steps]}

    @staticmethod
    def from_data(data: object) -> StepsReport:
        name, fields = agent_name(data, "steps", frozenset({"steps"}))
        return StepsReport(agent=name, steps=_steps(fields, "steps"))


CHUNK_KEYS = frozenset({"step", "pos", "time", "lines"})
_lines_json = json.JSONEncoder(separators=(",", ":")).encode


@dataclass(frozen=True, slots=True, kw_only=True)
class LogChunk:
    """Output lines of one step at consecutive positions from `pos` (counting from 0 per step),
    each with its line break, all written `time` seconds after the step started."""

    step: int
    pos: int
    lines: Sequence[str] = field(repr=False)
    time: int = 0

    def to_data(self) -> dict[str, object]:
        return {"step": self.step, "pos": self.pos, "time": self.time, "lines": list(self.lines)}

    def lines_json(self) -> str:
        """The lines as a JSON array (ASCII, escapes included): what `to_json` sends."""
        return _lines_json(list(self.lines))

    def to_json(self) -> str:
        """This chunk as JSON."""
        return chunk_json(self.step, self.pos, self.time, self.lines_json())

    @staticmethod
    def from_data(data: object, where: str) -> LogChunk:
        fields = Fields(data, where, CHUNK_KEYS)
        pos, time = fields.integer("pos"), fields.integer("time", 0)
        for key, value in (("pos", pos), ("time", time)):
            if value < 0:
                raise ProtocolError(f"{fields.path(key)} must not be negative.")
        lines = fields.items("lines")
        if not all(type(line) is str for line in lines):
            bad = next(n for n, line in enumerate(lines) if type(line) is not str)
            raise ProtocolError(f"{fields.path('lines')}[{bad}] must be a string.")
        text = cast("list[str]", lines)
        return LogChunk(step=fields.integer("step"), pos=pos, time=time, lines=text)


@dataclass(frozen=True, slots=True, kw_only=True)
class LogBatch:
    """POST /stages/{id}/logs: chunks of lines in any order; a line already stored (same step
    and position) is ignored."""

    agent: str
    chunks: tuple[LogChunk, ...]

    def to_data(self) -> dict[str, object]:
        return {"agent": self.agent, "chunks": [chunk.to_data() for chunk in self.chunks]}

    def to_json(self) -> bytes:
        """`to_data` as JSON bytes."""
        return batch_json(self.agent, [chunk.to_json() for chunk in self.chunks])

    @staticmethod
    def from_data(data: object) -> LogBatch:
        name, fields = agent_name(data, "logs", frozenset({"chunks"}))
        where = fields.path("chunks")
        chunks = tuple(
            LogChunk.from_data(item, f"{where}[{i}]")
            for i, item in enumerate(fields.items("chunks"))
        )
        return LogBatch(agent=name, chunks=chunks)


def chunk_json(step: int, pos: int, time: int, lines_json: str) -> str:
    """A chunk's JSON from its lines already encoded as a JSON array."""
    return f'{{"step":{step},"pos":{pos},"time":{time},"lines":{lines_json}}}'


def batch_json(agent: str, chunks: list[str]) -> bytes:
    """A log batch's JSON from its chunks' JSON (`LogChunk.to_json`)."""
    return f'{{"agent":{encode_basestring_ascii(agent)},"chunks":[{",".join(chunks)}]}}'.encode()


@dataclass(frozen=True, slots=True, kw_only=True)
class PullEvent:
    """An image pull's progress for one layer (structured, for the web page)."""

    step: int
    image: str
    layer: str = ""
    status: str = ""
    current: int | None = None
    total: int | None = None
    type: str = "pull"

    def to_data(self) -> dict[str, object]:
        return {
            "step": self.step,
            "type": self.type,
            "image": self.image,
            "layer": self.layer,
            "status": self.status,
            "current": self.current,
            "total": self.total,
        }

    @staticmethod
    def from_data(data: object, where: str) -> PullEvent:
        keys = frozenset({"step", "type", "image", "layer", "status", "current", "total"})
        fields = Fields(data, where, keys)
        kind = fields.text("type")
        if kind != "pull":
            raise ProtocolError(f"{fields.path('type')} must be 'pull'.")
        return PullEvent(
            step=fields.integer("step"),
            image=fields.text("image"),
            layer=fields.text("layer", ""),
            status=fields.text("status", ""),
            current=fields.optional_integer("current"),
            total=fields.optional_integer("total"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class EventBatch:
    """POST /stages/{id}/events: progress events, fanned out to live readers, not stored."""

    agent: str
    events: tuple[PullEvent, ...]

    def to_data(self) -> dict[str, object]:
        return {"agent": self.agent, "events": [event.to_data() for event in self.events]}

    @staticmethod
    def from_data(data: object) -> EventBatch:
        name, fields = agent_name(data, "events", frozenset({"events"}))
        items = fields.items("events")
        where = fields.path("events")
        events = tuple(PullEvent.from_data(item, f"{where}[{i}]") for i, item in enumerate(items))
        return EventBatch(agent=name, events=events)


@dataclass(frozen=True, slots=True, kw_only=True)
class DoneReport:
    """POST /stages/{id}/done: the stage's end and its steps' final states."""

    agent: str
    status: StageEnd
    error: str = ""
    steps: tuple[StepState, ...] = ()

    def to_data(self) -> dict[str, object]:
        return {
            "agent": self.agent,
            "status": self.status.value,
            "error": self.error,
            "steps": [step.to_data() for step in self.steps],
        }

    @staticmethod
    def from_data(data: object) -> DoneReport:
        name, fields = agent_name(data, "done", frozenset({"status", "error", "steps"}))
        return DoneReport(
            agent=name,
            status=fields.word("status", StageEnd),
            error=fields.optional_text("error") or "",
            steps=_steps(fields, "steps"),
        )
