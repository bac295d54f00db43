"""Runner settings of `conveyor exec`: the admin's allowed pull policies and the registry plugin."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from conveyor.cli.exec_settings import registry_sources
from conveyor.cli.main import main
from conveyor.errors import UsageError
from conveyor.registry.settings import RegistrySources
from conveyor.registry.sources import CredentialSet, collect_credentials
from tests.registry.test_plugin import SECRET, Behaviour, plugin_server  # noqa: F401 - a fixture

PIPELINE = """\
kind: pipeline
type: docker
name: p
steps:
- name: s
  image: ci-test/busybox:1
  pull: always
  commands: [true]
"""


def _args(**overrides: object) -> argparse.Namespace:
    values: dict[str, object] = {
        "registry_plugin": None,
        "event": "push",
        "trusted": False,
        "branch": None,
        "registry_config": [],
    }
    values.update(overrides)
    return argparse.Namespace(**values)


def _collect(sources: RegistrySources, configs: list[tuple[str, str]]) -> CredentialSet:
    return collect_credentials(
        secret_configs=configs,
        runner_config_files=sources.config_files,
        plugin=sources.plugin,
        build={"repo": "local/x"},
    )


def test_a_policy_outside_the_admin_list_is_a_configuration_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline = tmp_path / ".drone.yml"
    pipeline.write_text(PIPELINE)
    monkeypatch.chdir(tmp_path)
    code = main(["exec", str(pipeline), "--allow-pull-policy", "if-not-exists"])
    err = capsys.readouterr().err
    assert code == 2
    assert ".drone.yml:7:9:" in err
    assert "pull policy always, which this runner does not allow" in err
    assert "use one of: if-not-exists" in err


def test_the_plugin_needs_its_shared_secret() -> None:
    with pytest.raises(UsageError, match="DRONE_REGISTRY_PLUGIN_SECRET"):
        registry_sources(_args(registry_plugin="http://127.0.0.1:9/"), environ={})


def test_the_missing_secret_error_never_shows_user_info_of_the_endpoint() -> None:
    args = _args(registry_plugin="http://bot:endpoint-password@127.0.0.1:9/registry")
    with pytest.raises(UsageError) as caught:
        registry_sources(args, environ={})
    assert "endpoint-password" not in caught.value.render()
    assert "http://127.0.0.1:9/registry" in caught.value.message


def test_the_plugin_endpoint_may_come_from_the_environment() -> None:
    environ = {"DRONE_REGISTRY_PLUGIN_ENDPOINT": "http://127.0.0.1:9/"}
    with pytest.raises(UsageError, match=re.escape("http://127.0.0.1:9/")):
        registry_sources(_args(), environ=environ)


def test_a_broken_plugin_is_a_problem_not_a_lost_run() -> None:
    environ = {
        "DRONE_REGISTRY_PLUGIN_ENDPOINT": "http://127.0.0.1:9/",
        "DRONE_REGISTRY_PLUGIN_SECRET": "shared-secret-value",
    }
    sources = registry_sources(_args(), environ=environ)
    config = '{"auths": {"127.0.0.1:5001": {"auth": "dTpw"}}}'
    found = _collect(sources, [("dockerconfig", config)])
    assert found.problems, "the unreachable plugin must be reported"
    assert all("shared-secret-value" not in problem for problem in found.problems)
    from conveyor.images.reference import parse_reference

    [credential] = found.candidates_for(parse_reference("127.0.0.1:5001/a/b:1"))
    assert credential.username == "u"


def test_an_engine_that_does_not_answer_is_a_configuration_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    assert main(["prune"]) == 2
    err = capsys.readouterr().err
    assert f"cannot reach the Docker engine at unix://{tmp_path}/no-engine.sock" in err
    assert "no such socket" in err
    assert "Traceback" not in err


def test_an_engine_refusing_tcp_connections_is_named_in_plain_words(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    assert main(["prune"]) == 2
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    assert first == (
        "conveyor: error: cannot reach the Docker engine at tcp://127.0.0.1:9: connection refused"
    )


def test_the_plugin_secret_may_come_from_drones_own_variable(
    plugin_server: tuple[str, Behaviour],  # noqa: F811 - the imported fixture
) -> None:
    """A Drone runner's DRONE_REGISTRY_PLUGIN_TOKEN works unchanged."""
    endpoint, behaviour = plugin_server
    behaviour.body = b'[{"address": "127.0.0.1:5001", "username": "bot", "password": "pw"}]'
    environ = {"DRONE_REGISTRY_PLUGIN_ENDPOINT": endpoint, "DRONE_REGISTRY_PLUGIN_TOKEN": SECRET}
    found = _collect(registry_sources(_args(), environ=environ), [])
    assert found.problems == []
    from conveyor.images.reference import parse_reference

    [credential] = found.candidates_for(parse_reference("127.0.0.1:5001/a/b:1"))
    assert credential.username == "bot"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "verify"), ("false", "verify"), ("true", "skip-verify"), ("1", "skip-verify")],
)
def test_the_plugin_tls_check_follows_drone_skip_verify(value: str | None, expected: str) -> None:
    from conveyor.cli.exec_settings import plugin_settings

    environ = {
        "DRONE_REGISTRY_PLUGIN_ENDPOINT": "https://127.0.0.1:9/",
        "DRONE_REGISTRY_PLUGIN_TOKEN": "shared-secret-value",
    }
    if value is not None:
        environ["DRONE_REGISTRY_PLUGIN_SKIP_VERIFY"] = value
    settings = plugin_settings(_args(), environ)
    assert settings is not None
    assert settings.tls.value == expected
    assert "shared-secret-value" not in repr(settings)


def test_no_plugin_without_an_endpoint() -> None:
    from conveyor.cli.exec_settings import plugin_settings

    assert plugin_settings(_args(), {"DRONE_REGISTRY_PLUGIN_SECRET": "x"}) is None
