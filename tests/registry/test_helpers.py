"""Credential helpers through the Docker SDK's Store, with a fake helper program on PATH."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conveyor.errors import CredentialError
from conveyor.images.dockerconfig import HelperRule
from conveyor.registry.helpers import helper_credential

SCRIPT = """#!/bin/sh
read -r server
echo "$1 $server" >> "{log}"
case "$1:$server" in
  get:gcr.io) echo '{{"ServerURL":"gcr.io","Username":"helperuser","Secret":"helper-secret-1"}}';;
  get:https://index.docker.io/v1/)
    echo '{{"ServerURL":"x","Username":"<token>","Secret":"id-tok-1"}}';;
  get:garbage.example.com) echo 'this is not json';;
  get:fail.example.com) echo 'backend is down'; exit 1;;
  *) echo 'credentials not found in native keychain'; exit 1;;
esac
"""


def install_helper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> Path:
    """Put a fake `docker-credential-<name>` first on PATH; returns its call log."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / f"{name}.calls"
    program = bin_dir / f"docker-credential-{name}"
    program.write_text(SCRIPT.format(log=log))
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return log


@pytest.fixture
def helper_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return install_helper(tmp_path, monkeypatch, "conveyortest")


RULE = HelperRule(helper="conveyortest", host="gcr.io", key="gcr.io")
STORE = HelperRule(helper="conveyortest", host=None, key="credsStore")


def test_helper_answers_with_a_login(helper_log: Path) -> None:
    cred = helper_credential(RULE, "gcr.io", source="/etc/docker/config.json")
    assert cred is not None
    assert (cred.registry, cred.username, cred.password) == (
        "gcr.io",
        "helperuser",
        "helper-secret-1",
    )
    assert cred.key == "gcr.io"
    assert cred.source == "/etc/docker/config.json (docker-credential-conveyortest)"
    assert helper_log.read_text() == "get gcr.io\n"


def test_docker_hub_is_asked_by_its_legacy_url_and_token_user_means_identity_token(
    helper_log: Path,
) -> None:
    cred = helper_credential(STORE, "docker.io", source="f")
    assert cred is not None
    assert cred.identity_token == "id-tok-1"
    assert cred.username == ""
    assert helper_log.read_text() == "get https://index.docker.io/v1/\n"


def test_not_found_is_none(helper_log: Path) -> None:
    assert helper_credential(STORE, "quay.io", source="f") is None


@pytest.mark.parametrize(
    ("host", "fragment"),
    [("fail.example.com", "failed: Credentials store"), ("garbage.example.com", "not helper JSON")],
)
def test_helper_failures_name_source_helper_and_host(
    helper_log: Path, host: str, fragment: str
) -> None:
    with pytest.raises(CredentialError) as caught:
        helper_credential(STORE, host, source="/etc/docker/config.json")
    message = caught.value.message
    assert message.startswith(
        f"/etc/docker/config.json: credential helper docker-credential-conveyortest for {host}"
    )
    assert fragment in message


def test_missing_helper_program_is_a_clear_error(tmp_path: Path) -> None:
    rule = HelperRule(helper=f"absent{os.getpid()}", host=None, key="credsStore")
    with pytest.raises(CredentialError, match="not installed or not available in PATH"):
        helper_credential(rule, "gcr.io", source="f")


@pytest.mark.parametrize("name", ["../../bin/sh", "a/b", ".hidden", "x..y", ""])
def test_helper_names_cannot_escape_path(name: str, helper_log: Path) -> None:
    rule = HelperRule(helper=name, host=None, key="credsStore")
    with pytest.raises(CredentialError, match="not a valid credential helper name"):
        helper_credential(rule, "gcr.io", source="f")
    assert not helper_log.exists()
