"""The per-run credential set: precedence, problems per source, helpers only for runner files."""

from __future__ import annotations

import base64
import json
import threading
from pathlib import Path

import pytest

from conveyor.errors import CredentialError
from conveyor.images.credentials import Credential
from conveyor.images.dockerconfig import HelperRule
from conveyor.images.reference import parse_reference
from conveyor.registry.settings import PluginSettings
from conveyor.registry.sources import collect_credentials, read_config_file
from tests.registry.test_helpers import install_helper

GCR = parse_reference("gcr.io/project/app:1")
HUB = parse_reference("golang:1.12")


def auth(user: str, password: str = "pw") -> dict[str, str]:
    return {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}


def config(**auths: dict[str, str]) -> str:
    return json.dumps({"auths": auths})


def keyed(entries: list[tuple[str, dict[str, str]]]) -> str:
    """A config.json keeping duplicate-looking keys in the given order."""
    return json.dumps({"auths": dict(entries)})


def users(creds: list[Credential]) -> list[str]:
    return [c.username for c in creds]


def test_gcr_duplicate_keys_in_one_secret_give_a_fixed_order() -> None:
    """Seed: `gcr.io` and `https://gcr.io` in one file. The exact key is always tried first."""
    for entries in (
        [("https://gcr.io", auth("stale")), ("gcr.io", auth("fresh"))],
        [("gcr.io", auth("fresh")), ("https://gcr.io", auth("stale"))],
    ):
        creds = collect_credentials(secret_configs=[("dockerconfig", keyed(entries))])
        assert users(creds.candidates_for(GCR)) == ["fresh", "stale"]
        assert creds.problems == []


def test_sources_in_precedence_order(tmp_path: Path) -> None:
    runner_file = tmp_path / "config.json"
    runner_file.write_text(keyed([("https://gcr.io", auth("runner"))]))
    creds = collect_credentials(
        secret_configs=[
            ("first", keyed([("https://gcr.io", auth("secret1"))])),
            ("second", keyed([("https://gcr.io/v2/", auth("secret2"))])),
        ],
        runner_config_files=[runner_file],
    )
    assert users(creds.candidates_for(GCR)) == ["secret1", "secret2", "runner"]
    assert [c.source for c in creds.candidates_for(GCR)] == [
        "secret first",
        "secret second",
        str(runner_file),
    ]


def test_docker_hub_aliases_all_match_a_familiar_image() -> None:
    text = keyed(
        [
            ("https://index.docker.io/v1/", auth("legacy")),
            ("registry-1.docker.io", auth("api")),
            ("docker.io", auth("drone-docs")),
        ]
    )
    creds = collect_credentials(secret_configs=[("hub", text)])
    assert users(creds.candidates_for(HUB)) == ["drone-docs", "legacy", "api"]
    assert creds.candidates_for(GCR) == []


def test_broken_sources_are_reported_and_others_kept(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    creds = collect_credentials(
        secret_configs=[
            ("broken", "[]"),
            ("partly", keyed([("gcr.io", {"auth": "!!!"}), ("https://gcr.io", auth("ok"))])),
        ],
        runner_config_files=[missing, garbage],
        plugin=PluginSettings(endpoint="http://127.0.0.1:9/plugin", secret="s", timeout=2),
    )
    assert users(creds.candidates_for(GCR)) == ["ok"]
    assert creds.problems == [
        'secret broken must be a JSON object with an "auths" key',
        "secret partly, auths entry 'gcr.io': \"auth\" is not valid base64",
        f"{missing} does not exist",
        f"{garbage} is not valid JSON (line 1, column 2)",
        "registry plugin http://127.0.0.1:9/plugin cannot be reached (ConnectionError)",
    ]


def test_secret_with_helpers_never_executes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = install_helper(tmp_path, monkeypatch, "conveyortest")
    text = json.dumps({"credHelpers": {"gcr.io": "conveyortest"}, "credsStore": "conveyortest"})
    creds = collect_credentials(secret_configs=[("evil", text)])
    assert creds.candidates_for(GCR) == []
    assert creds.candidates_for(HUB) == []
    assert not log.exists()
    assert len(creds.problems) == 1
    assert creds.problems[0].startswith("secret evil: credHelpers/credsStore were ignored")


def test_runner_file_helpers_run_lazily_for_the_pulled_host_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = install_helper(tmp_path, monkeypatch, "conveyortest")
    runner_file = tmp_path / "config.json"
    runner_file.write_text(
        json.dumps(
            {
                "auths": {"https://gcr.io": auth("file")},
                "credHelpers": {"gcr.io": "conveyortest"},
            }
        )
    )
    creds = collect_credentials(secret_configs=[], runner_config_files=[runner_file])
    assert not log.exists()  # nothing runs until a host is asked for
    got = creds.candidates_for(GCR)
    assert users(got) == ["helperuser", "file"]
    assert got[0].source == f"{runner_file} (docker-credential-conveyortest)"
    creds.candidates_for(GCR)
    assert creds.candidates_for(HUB) == []  # credHelpers for gcr.io only: not asked for hub
    assert log.read_text() == "get gcr.io\n"  # asked once, then remembered


def test_creds_store_answers_for_every_host_and_failures_become_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_helper(tmp_path, monkeypatch, "conveyortest")
    runner_file = tmp_path / "config.json"
    runner_file.write_text(
        json.dumps({"auths": {"https://index.docker.io/v1/": {}}, "credsStore": "conveyortest"})
    )
    creds = collect_credentials(secret_configs=[], runner_config_files=[runner_file])
    (hub,) = creds.candidates_for(HUB)
    assert hub.identity_token == "id-tok-1"
    assert creds.candidates_for(parse_reference("quay.io/a/b")) == []  # not found: no problem
    assert creds.problems == []
    assert creds.candidates_for(parse_reference("fail.example.com/a")) == []
    assert len(creds.problems) == 1
    assert "docker-credential-conveyortest for fail.example.com failed" in creds.problems[0]


def test_injected_helper_runner_gets_rule_host_and_source(tmp_path: Path) -> None:
    calls: list[tuple[HelperRule, str, str]] = []

    def fake(rule: HelperRule, host: str, source: str) -> Credential | None:
        calls.append((rule, host, source))
        return Credential(registry=host, username="fake", password="x", source=source, key=rule.key)

    runner_file = tmp_path / "c.json"
    runner_file.write_text(json.dumps({"credsStore": "desktop"}))
    creds = collect_credentials(
        secret_configs=[], runner_config_files=[runner_file], run_helper=fake
    )
    assert users(creds.candidates_for(GCR)) == ["fake"]
    assert calls == [
        (HelperRule(helper="desktop", host=None, key="credsStore"), "gcr.io", str(runner_file))
    ]


def test_read_config_file_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(CredentialError, match="is a directory"):
        read_config_file(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(CredentialError, match=f"{bad} is not UTF-8 text"):
        read_config_file(bad)


def test_no_password_in_repr_or_problems() -> None:
    creds = collect_credentials(
        secret_configs=[
            ("s", keyed([("gcr.io", auth("u", "hunter2-secret"))])),
            ("bad", '{"auths": {"gcr.io": {"auth": "hunter2-not-base64"}}}'),
            ("broken", '{"auths": hunter2-not-json'),
        ]
    )
    assert users(creds.candidates_for(GCR)) == ["u"]  # the login is there to be shown...
    assert len(creds.problems) == 2  # ...and so are the problems
    assert "hunter2" not in repr(creds)
    assert "hunter2" not in repr(creds.candidates_for(GCR))
    assert "hunter2" not in "\n".join(creds.problems)


def test_steps_asking_at_once_run_a_helper_once(tmp_path: Path) -> None:
    """Parallel steps on the same registry: one helper call, the others wait for its answer."""
    calls: list[str] = []
    inside = threading.Event()
    release = threading.Event()

    def slow(rule: HelperRule, host: str, source: str) -> Credential | None:
        calls.append(host)
        inside.set()
        release.wait(10)
        return Credential(registry=host, username="slow", password="x", source=source)

    runner_file = tmp_path / "c.json"
    runner_file.write_text(json.dumps({"credsStore": "desktop"}))
    creds = collect_credentials(
        secret_configs=[], runner_config_files=[runner_file], run_helper=slow
    )
    answers: list[list[str]] = []
    threads = [
        threading.Thread(target=lambda: answers.append(users(creds.candidates_for(GCR))))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    assert inside.wait(10)
    release.set()
    for thread in threads:
        thread.join(10)
    assert calls == ["gcr.io"]
    assert answers == [["slow"]] * 3
