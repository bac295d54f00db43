"""An agent as the tests play it: plain HTTP calls of the agent protocol against the app."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from conveyor.rpc import PREFIX, PROTOCOL, PROTOCOL_HEADER

from .conftest import RPC_SECRET

PIPELINE = """\
kind: pipeline
type: docker
name: build
steps:
- name: test
  image: ci-test/busybox:1
  commands: [echo hi]
  environment:
    TOKEN: {from_secret: token}
---
kind: pipeline
type: docker
name: deploy
depends_on: [build]
steps:
- name: ship
  image: ci-test/busybox:1
  commands: [echo ship]
"""


def agent_headers(secret: str = RPC_SECRET, protocol: str = str(PROTOCOL)) -> dict[str, str]:
    """The headers every agent request carries."""
    return {"Authorization": f"Bearer {secret}", PROTOCOL_HEADER: protocol}


class Agent:
    """One agent named `name`, speaking to the app through `client`."""

    def __init__(self, client: TestClient, name: str, **info: Any) -> None:
        self.client = client
        self.name = name
        self.info = {"name": name, **info}

    def request(self, wait: float = 0, **extra: Any) -> Any:
        """POST /stages/request; the answer."""
        body = {"agent": self.info, "wait": wait, **extra}
        return self.client.post(f"{PREFIX}/stages/request", json=body, headers=agent_headers())

    def claim(self) -> dict[str, Any]:
        """A stage, which must be there."""
        answer = self.request()
        assert answer.status_code == 200, answer.text
        stage: dict[str, Any] = answer.json()["stage"]
        return stage

    def post(self, stage_id: int, what: str, **body: Any) -> Any:
        """POST /stages/{id}/{what} with this agent's name."""
        return self.client.post(
            f"{PREFIX}/stages/{stage_id}/{what}",
            json={"agent": self.name, **body},
            headers=agent_headers(),
        )

    def logs(self, stage_id: int, lines: list[dict[str, Any]]) -> Any:
        """POST /stages/{id}/logs of `lines` (`{"step", "pos", "out", "time"}` each), one
        chunk per line."""
        return self.post(stage_id, "logs", chunks=[chunk_of(line) for line in lines])


def chunk_of(line: dict[str, Any]) -> dict[str, Any]:
    """A log chunk of the protocol holding one line."""
    return {
        "step": line["step"],
        "pos": line["pos"],
        "time": line.get("time", 0),
        "lines": [line["out"]],
    }
