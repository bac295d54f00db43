"""`conveyor exec` end to end on the real engine and the 127.0.0.1 registries (ci-test images)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conveyor.cli.main import main
from tests.conftest import LocalEnv
from tests.registry.test_plugin import SECRET, Behaviour, plugin_server  # noqa: F401 - a fixture

pytestmark = pytest.mark.docker

HEAD = "kind: pipeline\ntype: docker\nname: default\n"


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


Exec = Callable[..., Outcome]
"""conveyor(pipeline_yaml_after_head, *args) -> Outcome"""


@pytest.fixture
def project(
    testenv: LocalEnv,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONVEYOR_STATE_DIR", str(tmp_path_factory.mktemp("state")))
    monkeypatch.setenv("NO_COLOR", "1")
    (tmp_path / "hello.txt").write_text("hello from the host\n")
    return tmp_path


@pytest.fixture
def conveyor(project: Path, capsys: pytest.CaptureFixture[str]) -> Exec:
    def run(pipeline: str, *args: str) -> Outcome:
        (project / ".drone.yml").write_text(HEAD + pipeline)
        capsys.readouterr()
        code = main(["exec", *args])
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run


def lines_of(outcome: Outcome, step: str) -> list[str]:
    prefix = step + " "
    found = []
    for line in outcome.out.splitlines():
        if line.startswith("step ") and "| status" in line:
            break  # the summary table
        if line.startswith(prefix) and " | " in line:
            text = line.split(" | ", 1)[1]
            if not text.startswith("-- "):
                found.append(text)
    return found


def auth_config(registry: str, user: str, password: str) -> dict[str, dict[str, str]]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {registry: {"auth": token}}


def test_commands_run_with_trace_lines_in_the_copied_workspace(conveyor: Exec) -> None:
    outcome = conveyor(
        """
steps:
- name: build
  image: ci-test/busybox:1
  commands:
  - cat hello.txt
  - echo "`echo nope` $(echo nope)" > /dev/null
  - pwd
""",
        "--image-cache-mode",
        "off",
    )
    assert outcome.code == 0, outcome
    assert lines_of(outcome, "build") == [
        "+ cat hello.txt",
        "hello from the host",
        '+ echo "`echo nope` $(echo nope)" > /dev/null',
        "+ pwd",
        "/drone/src",
    ]
    assert "success" in outcome.out


def test_services_are_reachable_by_name(conveyor: Exec) -> None:
    outcome = conveyor(
        """
services:
- name: svc
  image: ci-test/busybox:1
  commands:
  - echo pong > /tmp/index.html
  - httpd -f -p 8080 -h /tmp
steps:
- name: ask
  image: ci-test/busybox:1
  commands:
  - for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://svc:8080/ && exit 0; sleep 0.2; done; exit 1
""",
    )
    assert outcome.code == 0, outcome
    assert "pong" in lines_of(outcome, "ask")


def test_parallel_branches_run_at_the_same_time(conveyor: Exec) -> None:
    # Each branch waits for the other's mark in the shared workspace: serial runs fail.
    wait = "for i in $(seq 50); do [ -f {other}.mark ] && exit 0; sleep 0.1; done; exit 1"
    outcome = conveyor(
        f"""
steps:
- name: left
  image: ci-test/busybox:1
  depends_on: []
  commands:
  - touch left.mark
  - {wait.format(other="right")}
- name: right
  image: ci-test/busybox:1
  depends_on: []
  commands:
  - touch right.mark
  - {wait.format(other="left")}
- name: join
  image: ci-test/busybox:1
  depends_on: [left, right]
  commands:
  - ls *.mark
""",
    )
    assert outcome.code == 0, outcome
    assert lines_of(outcome, "join")[1:] == ["left.mark", "right.mark"]


def test_failure_ignore_and_exit_78(conveyor: Exec) -> None:
    outcome = conveyor(
        """
steps:
- name: flaky
  image: ci-test/busybox:1
  failure: ignore
  commands: [exit 1]
- name: gate
  image: ci-test/busybox:1
  commands: [echo stopping here, exit 78]
- name: deploy
  image: ci-test/busybox:1
  commands: [echo deployed]
""",
    )
    assert outcome.code == 0, outcome
    assert "deployed" not in outcome.out
    assert "deploy | -- skipped: a step exited with code 78" in outcome.out
    assert "ignored (failure: ignore)" in outcome.out


def test_when_status_failure_runs_after_a_failure(conveyor: Exec) -> None:
    outcome = conveyor(
        """
steps:
- name: test
  image: ci-test/busybox:1
  commands: [exit 2]
- name: next
  image: ci-test/busybox:1
  commands: [echo never]
- name: notify
  image: ci-test/busybox:1
  commands: [echo the build failed]
  when:
    status: [failure]
""",
    )
    assert outcome.code == 1
    assert lines_of(outcome, "notify")[-1] == "the build failed"
    assert "never" not in outcome.out
    assert 'pipeline "default" failed' in outcome.out


def test_secrets_are_masked_even_split_across_reads_and_lines(
    conveyor: Exec, project: Path
) -> None:
    (project / "secrets.env").write_text("TOKEN=hunter2-xyz\nCERT='first-line\nsecond-line'\n")
    outcome = conveyor(
        """
steps:
- name: leak
  image: ci-test/busybox:1
  environment:
    TOKEN: {from_secret: TOKEN}
    CERT: {from_secret: CERT}
  commands:
  - printf 'token=hunt'; sleep 0.3; printf 'er2-xyz\\n'
  - echo "$CERT"
  - echo "$TOKEN" >&2
""",
        "--secret-file",
        "secrets.env",
    )
    assert outcome.code == 0, outcome
    everything = outcome.out + outcome.err
    for piece in ("hunter2", "first-line", "second-line"):
        assert piece not in everything
    # Docker does not keep the order between stdout and stderr written at the same moment.
    assert "token=********" in lines_of(outcome, "leak")
    assert lines_of(outcome, "leak").count("********") == 2


def test_pull_never_with_absent_image_fails_before_any_container(conveyor: Exec) -> None:
    outcome = conveyor(
        """
steps:
- name: first
  image: ci-test/busybox:1
  commands: [echo ran]
- name: second
  image: 127.0.0.1:5000/ci-test/never-pulled-anywhere:1
  pull: never
  commands: [true]
""",
    )
    assert outcome.code == 1
    assert "ran" not in outcome.out
    assert "-- started" not in outcome.out
    assert "127.0.0.1:5000/ci-test/never-pulled-anywhere:1" in outcome.out
    assert "'never'" in outcome.out


@pytest.mark.parametrize("which", ["auth", "token"])
def test_private_image_needs_image_pull_secrets(
    conveyor: Exec, project: Path, testenv: LocalEnv, which: str
) -> None:
    registry = testenv.auth_registry if which == "auth" else testenv.token_registry
    image = f"{registry}/ci-test/remote-only:1"
    config = {"auths": auth_config(registry, testenv.user, testenv.password)}
    (project / "secrets.env").write_text(f"dockerconfig={json.dumps(config)}\n")
    pipeline = f"""
steps:
- name: private
  image: {image}
  pull: always
  commands: [cat /etc/ci-test-image]
"""
    ok = conveyor(pipeline + "image_pull_secrets: [dockerconfig]\n", "--secret-file", "secrets.env")
    assert ok.code == 0, ok
    assert lines_of(ok, "private")[-1] == "remote-only"
    assert f"pulling {image} ... done" in ok.out
    refused = conveyor(pipeline)
    assert refused.code == 1
    assert image in refused.out
    assert "image_pull_secrets" in refused.out
    assert "-- started" not in refused.out  # refused before its container exists


@pytest.mark.parametrize("wrong_key_first", [True, False], ids=["wrong-first", "wrong-last"])
def test_two_logins_for_one_registry_first_wrong_ten_of_ten(
    conveyor: Exec, project: Path, testenv: LocalEnv, wrong_key_first: bool
) -> None:
    """The seed's two keys for one host (exact key wrong), in either file order: 10 of 10 runs
    pull. The exact key is tried first, so each run also proves the move to the next login."""
    registry = testenv.auth_registry
    wrong = auth_config(registry, testenv.user, "wrong-password")
    right = auth_config(f"http://{registry}", testenv.user, testenv.password)
    auths = {**wrong, **right} if wrong_key_first else {**right, **wrong}
    (project / "secrets.env").write_text(f"dockerconfig={json.dumps({'auths': auths})}\n")
    pipeline = f"""
steps:
- name: private
  image: {registry}/ci-test/remote-only:1
  pull: always
  commands: [true]
image_pull_secrets: [dockerconfig]
"""
    codes = [conveyor(pipeline, "--secret-file", "secrets.env").code for _ in range(5)]
    assert codes == [0] * 5  # x 2 file orders: ten of ten


@pytest.mark.parametrize(
    ("pipeline", "args", "message"),
    [
        (
            "steps:\n- name: a\n  image: ci-test/busybox:1\n  environment:\n"
            "    X: {from_secret: absent}\n  commands: [true]\n",
            (),
            "'absent'",
        ),
        ("steps:\n- name: a\n  image: ci-test/busybox:1\n  pull: sometimes\n", (), "sometimes"),
        ("steps:\n- name: a\n  image: ci-test/busybox:1\n", ("--include", "zzz"), "'zzz'"),
        ("steps:\n- name: a\n  image: ci-test/busybox:1\n", ("--secret", "novalue"), "NAME=VALUE"),
    ],
)
def test_configuration_errors_exit_2(
    conveyor: Exec, pipeline: str, args: tuple[str, ...], message: str
) -> None:
    outcome = conveyor(pipeline, *args)
    assert outcome.code == 2, outcome
    assert message in outcome.err


def test_include_and_exclude_select_steps(conveyor: Exec) -> None:
    pipeline = "steps:\n" + "".join(
        f"- name: {n}\n  image: ci-test/busybox:1\n  commands: [echo {n}-ran]\n" for n in "abc"
    )
    outcome = conveyor(pipeline, "--include", "a", "--include", "c", "--exclude", "c")
    assert outcome.code == 0, outcome
    assert "a-ran" in outcome.out
    assert "b-ran" not in outcome.out
    assert "c-ran" not in outcome.out


def test_secret_files_in_the_directory_are_not_copied_into_the_workspace(
    conveyor: Exec, project: Path
) -> None:
    (project / ".secrets").write_text("TOKEN=value-that-stays-on-the-host\n")
    outcome = conveyor(
        """
steps:
- name: look
  image: ci-test/busybox:1
  environment:
    TOKEN:
      from_secret: TOKEN
  commands:
  - ls -a
  - test ! -e .secrets
""",
        "--secret-file",
        ".secrets",
    )
    assert outcome.code == 0, outcome
    listing = lines_of(outcome, "look")
    assert "hello.txt" in listing
    assert ".secrets" not in listing


def test_each_login_of_an_image_pull_secret_is_masked_on_its_own(
    conveyor: Exec, project: Path, testenv: LocalEnv
) -> None:
    config = json.dumps({"auths": auth_config(testenv.auth_registry, "bot", "pw-of-the-bot")})
    (project.parent / f"{project.name}.secrets").write_text(f"dockerconfig={config}\n")
    outcome = conveyor(
        """
steps:
- name: leak
  image: ci-test/busybox:1
  environment:
    CFG:
      from_secret: dockerconfig
  commands:
  - echo "$CFG" | cut -d'"' -f8
  - echo "$CFG" | cut -d'"' -f8 | base64 -d; echo
image_pull_secrets: [dockerconfig]
""",
        "--secret-file",
        str(project.parent / f"{project.name}.secrets"),
    )
    assert outcome.code == 0, outcome
    output = lines_of(outcome, "leak")
    assert "pw-of-the-bot" not in outcome.out
    assert base64.b64encode(b"bot:pw-of-the-bot").decode() not in outcome.out
    assert "bot:********" in output


@pytest.mark.parametrize(
    ("extra", "expected"),
    [((), "TOKEN is unset"), (("--pull-request-secret", "TOKEN"), "TOKEN is set")],
)
def test_pull_request_builds_see_only_the_secrets_allowed_to_them(
    conveyor: Exec, extra: tuple[str, ...], expected: str
) -> None:
    outcome = conveyor(
        """
steps:
- name: pr
  image: ci-test/busybox:1
  environment:
    TOKEN:
      from_secret: TOKEN
  commands:
  - if [ -z "$TOKEN" ]; then echo TOKEN is unset; else echo TOKEN is set; fi
""",
        "--event",
        "pull_request",
        "--secret",
        "TOKEN=pr-secret-value",
        *extra,
    )
    assert outcome.code == 0, outcome
    assert expected in lines_of(outcome, "pr")
    withheld_notice = "secret 'TOKEN' is withheld from this pull request build"
    assert (withheld_notice in outcome.err) is (not extra)


def test_the_registry_plugin_logs_in_for_the_branch_the_steps_see(
    conveyor: Exec,
    project: Path,
    testenv: LocalEnv,
    monkeypatch: pytest.MonkeyPatch,
    plugin_server: tuple[str, Behaviour],  # noqa: F811 - the imported fixture
) -> None:
    """No --branch: the git branch reaches the steps and the plugin alike, and the plugin's
    login pulls the private image."""
    endpoint, behaviour = plugin_server
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/feature-x\n")
    login = {"address": testenv.auth_registry, "username": testenv.user}
    behaviour.body = json.dumps([{**login, "password": testenv.password}]).encode()
    monkeypatch.setenv("DRONE_REGISTRY_PLUGIN_ENDPOINT", endpoint)
    monkeypatch.setenv("DRONE_REGISTRY_PLUGIN_SECRET", SECRET)
    outcome = conveyor(
        f"""
steps:
- name: private
  image: {testenv.auth_registry}/ci-test/remote-only:1
  pull: always
  commands: [echo "branch=$DRONE_BRANCH"]
"""
    )
    assert outcome.code == 0, outcome
    assert "branch=feature-x" in lines_of(outcome, "private")
    (request,) = behaviour.seen
    assert json.loads(request["body"])["build"]["target"] == "feature-x"
