"""`conveyor agent` settings: flags, CONVEYOR_* and Drone's DRONE_RPC_*/DRONE_RUNNER_* names."""

from __future__ import annotations

import pytest

from conveyor.cli.agent_args import agent_settings
from conveyor.cli.main import build_parser
from conveyor.errors import UsageError


def _settings(argv: list[str], env: dict[str, str]):  # type: ignore[no-untyped-def]
    args = build_parser().parse_args(["agent", *argv])
    return agent_settings(args, {"CONVEYOR_STATE_DIR": "/tmp/state", **env})


def test_flags_win() -> None:
    settings = _settings(
        ["--server", "http://ci:8080/", "--name", "b1", "--capacity", "4", "--label", "gpu=yes"],
        {"CONVEYOR_RPC_SECRET": "s3cret", "DRONE_RUNNER_NAME": "other"},
    )
    assert (settings.server, settings.name, settings.capacity) == ("http://ci:8080", "b1", 4)
    assert settings.labels == {"gpu": "yes"}
    assert "s3cret" not in repr(settings)


def test_drone_names_are_accepted() -> None:
    settings = _settings(
        [],
        {
            "DRONE_RPC_HOST": "ci.example.com",
            "DRONE_RPC_PROTO": "https",
            "DRONE_RPC_SECRET": "s",
            "DRONE_RUNNER_CAPACITY": "3",
            "DRONE_RUNNER_NAME": "r1",
            "DRONE_RUNNER_LABELS": "gpu:yes,zone:eu",
        },
    )
    assert settings.server == "https://ci.example.com"
    assert (settings.name, settings.capacity) == ("r1", 3)
    assert settings.labels == {"gpu": "yes", "zone": "eu"}


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        ([], {"CONVEYOR_SERVER": "http://ci"}, "no RPC secret given; set CONVEYOR_RPC_SECRET"),
        ([], {"CONVEYOR_RPC_SECRET": "s"}, "no server given"),
        (["--server", "ci:80"], {"CONVEYOR_RPC_SECRET": "s"}, "must start with http://"),
        (["--label", "gpu"], {"CONVEYOR_RPC_SECRET": "s", "CONVEYOR_SERVER": "http://c"},
         "--label 'gpu' must be KEY=VALUE"),
        ([], {"CONVEYOR_RPC_SECRET": "s", "CONVEYOR_SERVER": "http://c",
              "DRONE_RUNNER_CAPACITY": "0"}, "DRONE_RUNNER_CAPACITY: '0' is not"),
    ],
)  # fmt: skip
def test_bad_settings_say_what_to_fix(argv: list[str], env: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        _settings(argv, env)


def test_agent_ls_still_parses_as_the_client_listing() -> None:
    args = build_parser().parse_args(["agent", "ls", "--format", "json", "--server", "http://x"])
    assert args.handler.__name__ == "run_ls"
    assert args.server == "http://x"
