"""What an agent says about itself when it asks for work: `AgentInfo` inside a `StageRequest`."""

from __future__ import annotations

from dataclasses import dataclass, field

from conveyor.rpc import DEFAULT_WAIT
from conveyor.rpc.fields import Fields, ProtocolError, integer, text


@dataclass(frozen=True, slots=True, kw_only=True)
class Platform:
    """The agent's (or a pipeline's) os and arch; an empty word matches any."""

    os: str = ""
    arch: str = ""

    def to_data(self) -> dict[str, object]:
        return {"os": self.os, "arch": self.arch}

    @staticmethod
    def from_data(data: object, where: str) -> Platform:
        fields = Fields(data, where, frozenset({"os", "arch"}))
        return Platform(os=fields.text("os", ""), arch=fields.text("arch", ""))


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentInfo:
    """An agent's name, platform, labels, capacity, the stages it runs and its version."""

    name: str
    platform: Platform = field(default_factory=Platform)
    labels: dict[str, str] = field(default_factory=dict)
    capacity: int = 2
    running: tuple[int, ...] = ()
    version: str = ""

    def to_data(self) -> dict[str, object]:
        return {
            "name": self.name,
            "platform": self.platform.to_data(),
            "labels": dict(sorted(self.labels.items())),
            "capacity": self.capacity,
            "running": list(self.running),
            "version": self.version,
        }

    @staticmethod
    def from_data(data: object, where: str = "agent") -> AgentInfo:
        keys = frozenset({"name", "platform", "labels", "capacity", "running", "version"})
        fields = Fields(data, where, keys)
        name = fields.text("name")
        if not name.strip():
            raise ProtocolError(f"{fields.path('name')} must not be empty.")
        capacity = fields.integer("capacity", 2)
        if capacity < 1:
            raise ProtocolError(f"{fields.path('capacity')} must be at least 1.")
        running = fields.items("running", [])
        return AgentInfo(
            name=name,
            platform=Platform.from_data(fields.get("platform", {}), fields.path("platform")),
            labels=fields.texts("labels"),
            capacity=capacity,
            running=tuple(
                integer(item, f"{fields.path('running')}[{i}]") for i, item in enumerate(running)
            ),
            version=fields.text("version", ""),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class StageRequest:
    """POST /stages/request: the agent, the pipeline types it runs, how long it may wait."""

    agent: AgentInfo
    types: tuple[str, ...] = ("docker",)
    wait: float = DEFAULT_WAIT

    def to_data(self) -> dict[str, object]:
        return {"agent": self.agent.to_data(), "types": list(self.types), "wait": self.wait}

    @staticmethod
    def from_data(data: object) -> StageRequest:
        fields = Fields(data, "request", frozenset({"agent", "types", "wait"}))
        types = fields.items("types", ["docker"])
        wait = fields.number("wait", DEFAULT_WAIT)
        if wait < 0:
            raise ProtocolError(f"{fields.path('wait')} must not be negative.")
        return StageRequest(
            agent=AgentInfo.from_data(fields.raw("agent"), fields.path("agent")),
            types=tuple(text(item, f"{fields.path('types')}[{i}]") for i, item in enumerate(types)),
            wait=wait,
        )
